package io.kubeincident.argocd;

import io.kubeincident.api.ResourceRef;

/**
 * An Argo CD application: its name and, for applications outside the control plane's namespace (apps in
 * any namespace), its namespace.
 *
 * @param name      the application's name; never blank
 * @param namespace the Application object's namespace, or null for the control plane's default
 */
public record AppRef(String name, String namespace) {
    public static final String KIND = "Application";

    public AppRef {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("application name is required");
        if (namespace != null && namespace.isBlank()) namespace = null;
    }

    public static AppRef of(String name) {
        return new AppRef(name, null);
    }

    /** {@code namespace/name} or {@code name}. */
    public String qualifiedName() {
        return namespace == null ? name : namespace + "/" + name;
    }

    /** The Application as a Kubernetes reference, e.g. for an action's target or an incident's resources. */
    public ResourceRef toResourceRef(String defaultNamespace) {
        return ResourceRef.of(KIND, namespace == null ? defaultNamespace : namespace, name);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
