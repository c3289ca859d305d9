package io.kubeincident.openai;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Token spending per incident and per UTC day. Past either limit the analyzer declines and the rules
 * analyzer answers. Charged with the server's reported usage (an estimate when a server reports none).
 * Thread-safe.
 */
final class TokenBudget {

    /** Incidents remembered for their spending; the oldest are forgotten first. */
    static final int MAX_TRACKED_INCIDENTS = 10_000;

    private final long perIncident;
    private final long perDay;
    private final Clock clock;
    private final Map<String, Long> byIncident = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_TRACKED_INCIDENTS;
        }
    };
    private LocalDate day;
    private long usedToday;

    /** @param perIncident 0 = unlimited; @param perDay 0 = unlimited */
    TokenBudget(long perIncident, long perDay, Clock clock) {
        this.perIncident = perIncident;
        this.perDay = perDay;
        this.clock = clock;
        this.day = today();
    }

    /** Why a request needing about {@code needed} tokens must not go out, or empty when it may. */
    synchronized Optional<String> refusal(String incidentId, long needed) {
        rollDay();
        long used = byIncident.getOrDefault(incidentId, 0L);
        if (perIncident > 0 && used + needed > perIncident) {
            return Optional.of("token budget per incident exhausted: used " + used + " of " + perIncident
                    + ", this analysis needs about " + needed + " (llm.token_budget.per_incident)");
        }
        if (perDay > 0 && usedToday + needed > perDay) {
            return Optional.of("daily token budget exhausted: used " + usedToday + " of " + perDay + " on " + day
                    + " UTC, this analysis needs about " + needed + " (llm.token_budget.per_day)");
        }
        return Optional.empty();
    }

    synchronized void charge(String incidentId, long tokens) {
        rollDay();
        byIncident.merge(incidentId, tokens, Long::sum);
        usedToday += tokens;
    }

    synchronized long usedToday() {
        rollDay();
        return usedToday;
    }

    synchronized long usedBy(String incidentId) {
        return byIncident.getOrDefault(incidentId, 0L);
    }

    private void rollDay() {
        LocalDate now = today();
        if (!now.equals(day)) {
            day = now;
            usedToday = 0;
        }
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
