package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The kinds the engine watches: kind name ↔ client-java model class (see {@link WatchedKind}). */
public final class Kinds {
    private static final Map<String, Class<? extends KubernetesObject>> BY_NAME;

    static {
        Map<String, Class<? extends KubernetesObject>> m = new LinkedHashMap<>();
        for (WatchedKind k : WatchedKind.values()) m.put(k.kind(), k.type());
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private Kinds() {
    }

    public static Map<String, Class<? extends KubernetesObject>> all() {
        return BY_NAME;
    }

    public static Optional<Class<? extends KubernetesObject>> classOf(String kind) {
        return Optional.ofNullable(BY_NAME.get(kind));
    }

    public static String kindOf(KubernetesObject o) {
        return WatchedKind.kindOf(o);
    }
}
