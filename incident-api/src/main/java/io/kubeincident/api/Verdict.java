package io.kubeincident.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A safety policy's answer about one planned action. The most restrictive verdict of the chain wins:
 * deny over require-approval over allow; the reasons of every policy that restricted are kept.
 */
public sealed interface Verdict {

    List<String> reasons();

    /** 0 allow, 1 require approval, 2 deny. */
    int restrictiveness();

    record Allow(List<String> reasons) implements Verdict {
        public Allow {
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }

        public int restrictiveness() {
            return 0;
        }
    }

    record RequireApproval(List<String> reasons) implements Verdict {
        public RequireApproval {
            reasons = requireReasons(reasons);
        }

        public int restrictiveness() {
            return 1;
        }
    }

    record Deny(List<String> reasons) implements Verdict {
        public Deny {
            reasons = requireReasons(reasons);
        }

        public int restrictiveness() {
            return 2;
        }
    }

    static Verdict allow() {
        return new Allow(List.of());
    }

    static Verdict allow(String note) {
        return new Allow(List.of(note));
    }

    static Verdict requireApproval(String reason) {
        return new RequireApproval(List.of(reason));
    }

    static Verdict deny(String reason) {
        return new Deny(List.of(reason));
    }

    default boolean isDeny() {
        return this instanceof Deny;
    }

    default boolean isAllow() {
        return this instanceof Allow;
    }

    /**
     * The most restrictive of {@code verdicts}, carrying the reasons of every verdict at that level
     * (an empty collection is an allow).
     */
    static Verdict mostRestrictive(Collection<? extends Verdict> verdicts) {
        int level = 0;
        for (Verdict v : verdicts) level = Math.max(level, v.restrictiveness());
        List<String> reasons = new ArrayList<>();
        for (Verdict v : verdicts) {
            if (v.restrictiveness() == level) reasons.addAll(v.reasons());
        }
        return switch (level) {
            case 2 -> new Deny(reasons);
            case 1 -> new RequireApproval(reasons);
            default -> new Allow(reasons);
        };
    }

    private static List<String> requireReasons(List<String> reasons) {
        if (reasons == null || reasons.isEmpty()) {
            throw new IllegalArgumentException("a restrictive verdict must say why");
        }
        return List.copyOf(reasons);
    }
}
