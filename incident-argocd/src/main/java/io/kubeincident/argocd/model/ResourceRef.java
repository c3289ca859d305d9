package io.kubeincident.argocd.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A reference to a resource in an application's tree. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResourceRef(String group, String version, String kind, String namespace, String name, String uid) {
}
