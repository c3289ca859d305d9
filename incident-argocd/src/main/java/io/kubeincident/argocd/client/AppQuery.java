package io.kubeincident.argocd.client;

import java.util.List;

/**
 * Filters of the application list.
 *
 * @param selector     label selector on the Application objects, or null
 * @param projects     projects to restrict to; empty for all
 * @param appNamespace namespace of the Application objects, or null for the default
 */
public record AppQuery(String selector, List<String> projects, String appNamespace) {
    public AppQuery {
        selector = selector == null || selector.isBlank() ? null : selector;
        projects = projects == null ? List.of() : List.copyOf(projects);
        appNamespace = appNamespace == null || appNamespace.isBlank() ? null : appNamespace;
    }

    public static AppQuery all() {
        return new AppQuery(null, List.of(), null);
    }
}
