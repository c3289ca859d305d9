package io.kubeincident.core.action;

import io.kubernetes.client.openapi.JSON;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 6902 JSON patch under construction. JSON patch is used where an action's change depends on what it
 * read: a {@code replace} of {@code /metadata/resourceVersion} makes the API server answer 409 when the
 * object changed in between (optimistic concurrency), which {@link KubeAction} turns into one re-read.
 */
public final class JsonPatch {

    private final List<Map<String, Object>> ops = new ArrayList<>();

    public JsonPatch add(String path, Object value) {
        return op("add", path, value);
    }

    public JsonPatch replace(String path, Object value) {
        return op("replace", path, value);
    }

    public JsonPatch remove(String path) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "remove");
        op.put("path", path);
        ops.add(op);
        return this;
    }

    /** Fails with 409 when the object is no longer at {@code resourceVersion}. */
    public JsonPatch precondition(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isBlank()) return this;
        return replace("/metadata/resourceVersion", resourceVersion);
    }

    private JsonPatch op(String op, String path, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", op);
        m.put("path", path);
        m.put("value", value);
        ops.add(m);
        return this;
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    public int size() {
        return ops.size();
    }

    /** Serialised with client-java's Gson, so model objects (templates, quantities) keep their wire form. */
    public String toJson() {
        return JSON.serialize(ops);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
