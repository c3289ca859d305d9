package io.kubeincident.prometheus;

import java.util.List;
import java.util.Map;

/** The answer to one query: series, or why there are none. */
public sealed interface PromResult {

    /** One series: its labels and its samples (one for an instant query), oldest first. */
    record Series(Map<String, String> labels, List<Sample> samples) {
        public Series {
            labels = Map.copyOf(labels);
            samples = List.copyOf(samples);
        }

        public String label(String name) {
            return labels.get(name);
        }

        /** The newest value, NaN when there is none. */
        public double last() {
            return samples.isEmpty() ? Double.NaN : samples.get(samples.size() - 1).value();
        }
    }

    /** A sample: seconds since the epoch and a value. */
    record Sample(double time, double value) {
    }

    /**
     * @param truncated true when Prometheus returned more series than {@code prometheus.max_series} and the rest
     *                  were dropped
     */
    record Ok(List<Series> series, boolean truncated) implements PromResult {
        public Ok {
            series = List.copyOf(series);
        }
    }

    /** Prometheus could not answer: down, slow, 4xx/5xx, a bad query or an answer too large. {@code reason} is one line. */
    record Unavailable(String reason) implements PromResult {
    }

    static PromResult unavailable(String reason) {
        return new Unavailable(reason);
    }
}
