package io.kubeincident.prometheus;

import java.time.Instant;
import java.util.Locale;
import java.util.function.LongToDoubleFunction;

/** Builds OpenMetrics text for {@code promtool tsdb create-blocks-from openmetrics}: gauges sampled every step. */
final class OpenMetrics {
    private final StringBuilder text = new StringBuilder();
    private final java.util.Set<String> declared = new java.util.HashSet<>();

    /**
     * One series: {@code value} gets the seconds before {@code end} and returns the value (NaN: no sample).
     */
    OpenMetrics gauge(String name, String labels, Instant start, Instant end, long stepSeconds, LongToDoubleFunction value) {
        return series(name, "gauge", labels, start, end, stepSeconds, value);
    }

    OpenMetrics counter(String name, String labels, Instant start, Instant end, long stepSeconds, LongToDoubleFunction value) {
        return series(name, "counter", labels, start, end, stepSeconds, value);
    }

    private OpenMetrics series(String name, String type, String labels, Instant start, Instant end, long stepSeconds,
                               LongToDoubleFunction value) {
        String family = type.equals("counter") && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
        if (declared.add(family)) text.append("# TYPE ").append(family).append(' ').append(type).append('\n');
        for (long t = start.getEpochSecond(); t <= end.getEpochSecond(); t += stepSeconds) {
            double v = value.applyAsDouble(end.getEpochSecond() - t);
            if (Double.isNaN(v)) continue;
            text.append(name).append('{').append(labels).append("} ").append(String.format(Locale.ROOT, "%.6f", v))
                    .append(' ').append(t).append('\n');
        }
        return this;
    }

    String build() {
        return text + "# EOF\n";
    }
}
