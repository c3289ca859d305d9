package io.kubeincident.core.detect;

import io.kubeincident.api.Finding;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.core.monitor.Refs;
import io.kubeincident.core.monitor.WatchedKind;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.DetectionContext;
import io.kubeincident.spi.Detector;
import io.kubernetes.client.common.KubernetesObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The detectors indexed by kind: one object is shown only to the detectors of its kind, and a failing
 * detector is reported and skipped for that object, never stopping the others. Thread-safe (immutable).
 */
public final class DetectorSet {

    /** Told about a detector that threw; must not throw itself. */
    @FunctionalInterface
    public interface ErrorHandler {
        void failed(Detector detector, KubernetesObject object, RuntimeException error);
    }

    private final List<Detector> detectors;
    private final Map<String, List<Detector>> byKind;
    private final ErrorHandler onError;

    public DetectorSet(List<? extends Detector> detectors, ErrorHandler onError) {
        this.detectors = List.copyOf(detectors);
        this.onError = onError == null ? (d, o, e) -> { } : onError;
        Map<String, List<Detector>> m = new HashMap<>();
        for (Detector d : this.detectors) {
            for (String kind : d.kinds()) m.computeIfAbsent(kind, k -> new ArrayList<>()).add(d);
        }
        m.replaceAll((k, v) -> List.copyOf(v));
        this.byKind = Map.copyOf(m);
    }

    public List<Detector> detectors() {
        return detectors;
    }

    public List<Detector> forKind(String kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    /** The kinds some detector looks at. */
    public Set<String> kinds() {
        return byKind.keySet();
    }

    /** Runs the detectors of {@code object}'s kind on it. Never throws for a detector's failure. */
    public List<Finding> detect(KubernetesObject object, DetectionContext context) {
        List<Detector> ds = forKind(WatchedKind.kindOf(object));
        if (ds.isEmpty()) return List.of();
        List<Finding> out = null;
        for (Detector d : ds) {
            List<Finding> found;
            try {
                found = d.detect(object, context);
            } catch (RuntimeException e) {
                onError.failed(d, object, e);
                continue;
            }
            if (found == null || found.isEmpty()) continue;
            if (out == null) out = new ArrayList<>(found.size());
            out.addAll(found);
        }
        return out == null ? List.of() : out;
    }

    /**
     * Runs every detector over every cached object of the kinds it looks at (the periodic safety-net
     * sweep). Returns the findings by object; objects without findings are absent.
     */
    public Map<ResourceRef, List<Finding>> sweep(ClusterView view, DetectionContext context,
                                                 Predicate<KubernetesObject> inScope) {
        Map<ResourceRef, List<Finding>> out = new LinkedHashMap<>();
        Set<Class<? extends KubernetesObject>> types = new LinkedHashSet<>();
        for (String kind : byKind.keySet()) WatchedKind.ofKind(kind).ifPresent(k -> types.add(k.type()));
        for (Class<? extends KubernetesObject> type : types) {
            if (!view.available(type)) continue;
            for (KubernetesObject o : view.list(type, null)) {
                if (inScope != null && !inScope.test(o)) continue;
                List<Finding> f = detect(o, context);
                if (!f.isEmpty()) out.put(Refs.of(o), f);
            }
        }
        return out;
    }
}
