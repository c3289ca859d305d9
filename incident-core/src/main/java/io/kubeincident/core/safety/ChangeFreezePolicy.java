package io.kubeincident.core.safety;

import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Change-freeze windows ({@code safety.change_freeze.NAME.*}): while one covers the target's namespace (or
 * the incident's; cluster-scoped targets only by a {@code *} window), actions need a human's approval.
 */
public final class ChangeFreezePolicy implements SafetyPolicy {

    public static final String ID = "change-freeze";

    /** Found through ServiceLoader; reads {@code safety.*}. */
    public static final class Provider implements SafetyPolicyProvider {
        @Override
        public SafetyPolicy create(ProviderContext c) {
            return new ChangeFreezePolicy(SafetyConfig.from(c.config()).freezeWindows());
        }
    }

    private final List<FreezeWindow> windows;

    public ChangeFreezePolicy(List<FreezeWindow> windows) {
        this.windows = List.copyOf(windows);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict evaluate(ProposedAction action, SafetyContext context) {
        if (windows.isEmpty()) return Verdict.allow();
        Instant now = context.clock().instant();
        String ns = action.target().namespace() != null ? action.target().namespace() : context.incident().namespace();
        List<String> reasons = new ArrayList<>();
        for (FreezeWindow w : windows) {
            if (!w.covers(ns)) continue;
            Optional<Instant> since = w.activeSince(now);
            since.ifPresent(s -> reasons.add("change freeze '" + w.name() + "' (" + w.start() + " for " + w.duration()
                    + ", " + w.zone() + ") in force since " + s + " until " + s.plus(w.duration()) + ": approval only"));
        }
        return reasons.isEmpty() ? Verdict.allow() : new Verdict.RequireApproval(reasons);
    }
}
