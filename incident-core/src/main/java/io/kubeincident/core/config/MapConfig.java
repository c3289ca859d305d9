package io.kubeincident.core.config;

import io.kubeincident.api.ConfigView;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An immutable {@link ConfigView} over flattened dotted keys. */
public final class MapConfig implements ConfigView {
    private final Map<String, String> values;

    public MapConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    @Override
    public Set<String> keys() {
        return values.keySet();
    }

    public Map<String, String> asMap() {
        return values;
    }

    /** This configuration with {@code overrides} on top. */
    public MapConfig with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        return new MapConfig(merged);
    }

    @Override
    public String toString() {
        return "MapConfig" + values.keySet();
    }
}
