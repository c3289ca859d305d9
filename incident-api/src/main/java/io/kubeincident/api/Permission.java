package io.kubeincident.api;

/**
 * One RBAC permission an action needs, as a ClusterRole rule would state it.
 *
 * @param apiGroup    {@code ""} for the core group, e.g. {@code apps}
 * @param resource    plural resource, with subresource as {@code pods/eviction}
 * @param verb        {@code get}, {@code list}, {@code patch}, {@code delete}, {@code create}, ...
 */
public record Permission(String apiGroup, String resource, String verb) {
    public Permission {
        apiGroup = apiGroup == null ? "" : apiGroup;
        if (resource == null || resource.isBlank()) throw new IllegalArgumentException("resource is required");
        if (verb == null || verb.isBlank()) throw new IllegalArgumentException("verb is required");
    }

    public static Permission core(String resource, String verb) {
        return new Permission("", resource, verb);
    }

    public static Permission of(String apiGroup, String resource, String verb) {
        return new Permission(apiGroup, resource, verb);
    }

    @Override
    public String toString() {
        return verb + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + resource;
    }
}
