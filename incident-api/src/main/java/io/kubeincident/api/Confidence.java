package io.kubeincident.api;

/** Confidence values are probabilities in [0, 1]. */
public final class Confidence {
    private Confidence() {
    }

    public static double require(double value) {
        if (Double.isNaN(value) || value < 0.0 || value > 1.0) {
            throw new IllegalArgumentException("confidence must be within [0, 1], was: " + value);
        }
        return value;
    }

    public static double clamp(double value) {
        if (Double.isNaN(value)) return 0.0;
        return Math.max(0.0, Math.min(1.0, value));
    }
}
