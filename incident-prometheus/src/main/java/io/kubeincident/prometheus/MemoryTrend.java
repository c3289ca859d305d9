package io.kubeincident.prometheus;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a container's memory working set over hours and says how it got where it is: rising steadily (a leak: it
 * climbs at a steady rate since its last restart and would reach any limit), a sudden spike (flat, then a jump within
 * minutes), flat or falling. Restarts (a drop of more than a third) start a new segment; only the last one is read.
 */
public final class MemoryTrend {

    public static final String RISING_STEADILY = "rising-steadily";
    public static final String SUDDEN_SPIKE = "sudden-spike";
    public static final String FLAT = "flat";
    public static final String FALLING = "falling";

    /**
     * @param trend            one of the constants
     * @param slopePerHour     bytes per hour over the last segment (least squares)
     * @param r2               how well a straight line fits the segment (0..1)
     * @param segmentHours     how long the last segment lasted
     * @param secondsToLimit   at the slope, seconds until the limit; NaN when not rising or no limit
     */
    public record Reading(String trend, double slopePerHour, double r2, double segmentHours, double secondsToLimit) {
    }

    private MemoryTrend() {
    }

    /** @param samples oldest first; {@code limit} NaN when unknown */
    public static Reading read(List<PromResult.Sample> samples, double limit) {
        List<PromResult.Sample> seg = lastSegment(samples);
        if (seg.size() < 3) return new Reading(FLAT, 0, 0, 0, Double.NaN);
        double t0 = seg.get(0).time();
        int n = seg.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
        for (PromResult.Sample s : seg) {
            double x = (s.time() - t0) / 3600.0;
            double y = s.value();
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            syy += y * y;
        }
        double vx = sxx - sx * sx / n;
        double vy = syy - sy * sy / n;
        double cov = sxy - sx * sy / n;
        double slope = vx <= 0 ? 0 : cov / vx;
        double r2 = vx <= 0 || vy <= 0 ? 0 : (cov * cov) / (vx * vy);
        double hours = (seg.get(n - 1).time() - t0) / 3600.0;
        double first = seg.get(0).value();
        double last = seg.get(n - 1).value();
        double scale = Double.isNaN(limit) || limit <= 0 ? Math.max(last, 1) : limit;
        double toLimit = slope > 0 && !Double.isNaN(limit) && limit > last ? (limit - last) / slope * 3600.0 : Double.NaN;

        // A spike: the last quarter hour jumped by a good part of the scale over a steady level before it.
        double spikeStart = seg.get(n - 1).time() - 15 * 60;
        List<Double> before = new ArrayList<>();
        double recentMax = 0;
        for (PromResult.Sample s : seg) {
            if (s.time() < spikeStart) before.add(s.value());
            else recentMax = Math.max(recentMax, s.value());
        }
        if (before.size() >= 3) {
            double med = median(before);
            double spread = mad(before, med);
            if (recentMax - med >= 0.3 * scale && spread < 0.1 * scale) {
                return new Reading(SUDDEN_SPIKE, slope, r2, hours, toLimit);
            }
        }
        if (hours >= 1.0 && slope > 0 && r2 >= 0.8 && last - first >= 0.2 * scale) {
            return new Reading(RISING_STEADILY, slope, r2, hours, toLimit);
        }
        if (slope < 0 && first - last >= 0.2 * scale) return new Reading(FALLING, slope, r2, hours, toLimit);
        return new Reading(FLAT, slope, r2, hours, toLimit);
    }

    static List<PromResult.Sample> lastSegment(List<PromResult.Sample> samples) {
        int start = 0;
        for (int i = 1; i < samples.size(); i++) {
            double prev = samples.get(i - 1).value();
            if (prev > 0 && samples.get(i).value() < prev * 2 / 3) start = i;
        }
        return samples.subList(start, samples.size());
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        if (n == 0) return Double.NaN;
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    static double mad(List<Double> values, double median) {
        List<Double> dev = new ArrayList<>();
        for (double v : values) dev.add(Math.abs(v - median));
        return median(dev);
    }
}
