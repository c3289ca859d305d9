package io.kubeincident.core.safety;

import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}) with lists, ranges,
 * steps and names ({@code MON-FRI}, {@code JAN}). As in classic cron, when both day fields are restricted
 * a time matches if either does. Immutable.
 */
public final class Cron {

    private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("JAN", 1), Map.entry("FEB", 2),
            Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5), Map.entry("JUN", 6), Map.entry("JUL", 7),
            Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10), Map.entry("NOV", 11), Map.entry("DEC", 12));
    private static final Map<String, Integer> DAYS = Map.of("SUN", 0, "MON", 1, "TUE", 2, "WED", 3, "THU", 4,
            "FRI", 5, "SAT", 6);

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private Cron(String expression, BitSet minutes, BitSet hours, BitSet dom, BitSet months, BitSet dow,
                 boolean domRestricted, boolean dowRestricted) {
        this.expression = expression;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = dom;
        this.months = months;
        this.daysOfWeek = dow;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /** Parses {@code expression}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Cron parse(String expression) {
        if (expression == null) throw new IllegalArgumentException("cron expression is missing");
        String[] f = expression.trim().split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("cron expression must have 5 fields (minute hour day-of-month month day-of-week), was: " + expression);
        }
        BitSet dow = field(f[4], 0, 7, DAYS, "day-of-week");
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        return new Cron(expression.trim(), field(f[0], 0, 59, Map.of(), "minute"), field(f[1], 0, 23, Map.of(), "hour"),
                field(f[2], 1, 31, Map.of(), "day-of-month"), field(f[3], 1, 12, MONTHS, "month"), dow,
                !f[2].equals("*") && !f[2].equals("?"), !f[4].equals("*") && !f[4].equals("?"));
    }

    private static BitSet field(String spec, int min, int max, Map<String, Integer> names, String what) {
        BitSet bits = new BitSet(max + 1);
        for (String part : spec.split(",")) {
            if (part.isEmpty()) throw new IllegalArgumentException("cron " + what + ": empty list element in " + spec);
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(part.substring(slash + 1), 1, max, Map.of(), what);
                range = part.substring(0, slash);
            }
            int lo;
            int hi;
            if (range.equals("*") || range.equals("?")) {
                lo = min;
                hi = max;
            } else if (range.indexOf('-') > 0) {
                String[] ab = range.split("-", 2);
                lo = number(ab[0], min, max, names, what);
                hi = number(ab[1], min, max, names, what);
                if (hi < lo) throw new IllegalArgumentException("cron " + what + ": range " + range + " runs backwards");
            } else {
                lo = number(range, min, max, names, what);
                hi = slash >= 0 ? max : lo;
            }
            for (int i = lo; i <= hi; i += step) bits.set(i);
        }
        return bits;
    }

    private static int number(String s, int min, int max, Map<String, Integer> names, String what) {
        Integer named = names.get(s.toUpperCase(Locale.ROOT));
        if (named != null) return named;
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) throw new IllegalArgumentException("cron " + what + ": " + v + " is outside " + min + ".." + max);
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cron " + what + ": not a number or name: " + s);
        }
    }

    /** Whether the minute of {@code t} matches. */
    public boolean matches(ZonedDateTime t) {
        if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) return false;
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) return dom || dow;
        return dom && dow;
    }

    @Override
    public String toString() {
        return expression;
    }
}
