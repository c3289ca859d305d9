package io.kubeincident.testkit.server;

/**
 * One authorization decision of the loopback API server with RBAC enforcement on: the request's attributes
 * as the Kubernetes RBAC authorizer sees them, whether it was allowed, and by what.
 *
 * @param user        {@code system:serviceaccount:ns:name} for a service account token
 * @param verb        get, list, watch, create, update, patch, delete, deletecollection (resource requests) or
 *                    the lower-case HTTP method (non-resource requests)
 * @param apiGroup    empty for the core group; null for a non-resource request
 * @param resource    plural resource (no subresource); null for a non-resource request
 * @param subresource {@code log}, {@code status}, {@code scale}, {@code eviction}, ...; null when none
 * @param namespace   null for cluster-scoped requests and non-resource requests
 * @param name        the object's name; null for collections (unless a {@code metadata.name} field selector names one)
 * @param path        the request path without its query
 * @param allowed     whether a rule granted it
 * @param grantedBy   {@code ClusterRole/name#rule} or {@code Role/ns/name#rule} (rule index from 0) of the first
 *                    matching rule, through which binding; null when denied
 */
public record RbacDecision(String user, String verb, String apiGroup, String resource, String subresource,
                           String namespace, String name, String path, boolean allowed, String grantedBy) {

    /** Whether this was a request for a resource (as opposed to a non-resource URL such as {@code /version}). */
    public boolean resourceRequest() {
        return resource != null;
    }

    /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
    public String combinedResource() {
        return subresource == null ? resource : resource + "/" + subresource;
    }

    @Override
    public String toString() {
        if (!resourceRequest()) return user + " " + verb + " path " + path + (allowed ? " allowed" : " denied");
        return user + " " + verb + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + combinedResource()
                + (name == null ? "" : " \"" + name + "\"") + (namespace == null ? " (cluster scope)" : " in " + namespace)
                + (allowed ? " allowed by " + grantedBy : " denied");
    }
}
