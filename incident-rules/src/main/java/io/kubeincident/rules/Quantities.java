package io.kubeincident.rules;

import io.kubernetes.client.custom.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Memory quantities ({@code 100Mi}, {@code 1Gi}, {@code 512M}) to bytes and back. */
final class Quantities {
    static final long MI = 1024L * 1024L;
    static final long GI = 1024L * MI;

    private Quantities() {
    }

    /** Bytes of a Kubernetes quantity; throws {@link IllegalArgumentException} when it is not one. */
    static long bytes(String quantity) {
        if (quantity == null || quantity.isBlank()) throw new IllegalArgumentException("empty quantity");
        try {
            BigDecimal n = Quantity.fromString(quantity.trim()).getNumber();
            return n.setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a quantity: " + quantity);
        }
    }

    /** The shortest exact binary-suffixed form: {@code 1Gi}, {@code 150Mi}, or plain bytes. */
    static String format(long bytes) {
        if (bytes > 0 && bytes % GI == 0) return bytes / GI + "Gi";
        if (bytes > 0 && bytes % MI == 0) return bytes / MI + "Mi";
        return Long.toString(bytes);
    }
}
