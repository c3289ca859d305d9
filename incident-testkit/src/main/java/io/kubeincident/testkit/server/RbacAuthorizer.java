package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' RBAC authorizer for the loopback server: request attributes as the API server's
 * {@code RequestInfoFactory} derives them, and rules matched as {@code rbac/v1} does (rules are additive;
 * {@code *} matches any verb, group or resource; {@code *}/sub matches a subresource of any resource;
 * resourceNames limit a rule to named objects; Roles and RoleBindings apply in their namespace only;
 * nonResourceURLs only through ClusterRoleBindings). As on a real cluster, the built-in
 * {@code system:discovery} and {@code system:public-info-viewer} roles grant discovery and version to every
 * authenticated user. Aggregated ClusterRoles ({@code aggregationRule}) are not resolved.
 */
final class RbacAuthorizer {

    static final String GROUP = "rbac.authorization.k8s.io";

    /** Who sends a request. {@code admin} is {@code system:masters}: never checked, as on a real server. */
    record Identity(String user, List<String> groups, boolean admin) {
        static final Identity ANONYMOUS = new Identity("system:anonymous", List.of("system:unauthenticated"), false);
        static final Identity ADMIN = new Identity("loopback-admin", List.of("system:masters", "system:authenticated"), true);

        static Identity serviceAccount(String namespace, String name) {
            return new Identity("system:serviceaccount:" + namespace + ":" + name,
                    List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"), false);
        }
    }

    /** The attributes RBAC decides on. {@code resource} null for a non-resource request. */
    record Attributes(String verb, String apiGroup, String resource, String subresource, String namespace, String name,
                      String path) {
        boolean resourceRequest() {
            return resource != null;
        }
    }

    /** The RBAC objects of the store, read under the API's lock. */
    record Policy(List<ObjectNode> clusterRoles, List<ObjectNode> clusterRoleBindings, List<ObjectNode> roles,
                  List<ObjectNode> roleBindings) {
    }

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
    /** system:discovery and system:public-info-viewer, bound to system:authenticated on every cluster. */
    private static final List<String> BUILT_IN_URLS = List.of("/api", "/api/*", "/apis", "/apis/*", "/openapi",
            "/openapi/*", "/version", "/version/", "/healthz", "/livez", "/readyz");

    private RbacAuthorizer() {
    }

    /** The attributes of {@code METHOD rawPath}, as the API server's request-info factory derives them. */
    static Attributes attributes(String method, String rawPath) {
        String path = rawPath;
        Map<String, String> query = Map.of();
        int q = rawPath.indexOf('?');
        if (q >= 0) {
            path = rawPath.substring(0, q);
            query = ApiPath.parseQuery(rawPath.substring(q + 1));
        }
        String nonResourceVerb = method.toLowerCase(java.util.Locale.ROOT);
        List<String> parts = new ArrayList<>(Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
        if (parts.isEmpty() || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
            return new Attributes(nonResourceVerb, null, null, null, null, null, path);
        }
        boolean core = parts.get(0).equals("api");
        int prefix = core ? 2 : 3;
        // Fewer than prefix + 1 parts: discovery (/api, /api/v1, /apis/apps, /apis/apps/v1).
        if (parts.size() < prefix + 1) return new Attributes(nonResourceVerb, null, null, null, null, null, path);
        String group = core ? "" : parts.get(1);
        List<String> rest = new ArrayList<>(parts.subList(prefix, parts.size()));
        boolean watchPrefix = false;
        if (rest.get(0).equals("watch")) {
            watchPrefix = true;
            rest.remove(0);
            if (rest.isEmpty()) return new Attributes(nonResourceVerb, null, null, null, null, null, path);
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() > 1) {
            namespace = rest.get(1);
            // /namespaces/{ns}/pods/...: the resource is what follows; /namespaces/{ns}[/status] is the namespace itself.
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : null;
        String subresource = rest.size() > 2 ? rest.get(2) : null;
        String verb = switch (method.toUpperCase(java.util.Locale.ROOT)) {
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            case "GET", "HEAD" -> {
                // As the API server does: the watch parameter turns a list into a watch; a named get stays a get.
                if (watchPrefix) yield "watch";
                if (name != null) yield "get";
                boolean watch = "true".equalsIgnoreCase(query.get("watch")) || "1".equals(query.get("watch"));
                yield watch ? "watch" : "list";
            }
            default -> nonResourceVerb;
        };
        if (name == null && (verb.equals("list") || verb.equals("watch"))) {
            // A list or watch of one object by field selector is authorized as for that name.
            String fs = query.get("fieldSelector");
            if (fs != null) {
                for (String term : fs.split(",")) {
                    String t = term.trim();
                    if (t.startsWith("metadata.name=")) name = t.substring(t.startsWith("metadata.name==") ? 15 : 14);
                }
            }
        }
        return new Attributes(verb, group, resource, subresource, namespace, name, path);
    }

    /** The first rule that grants {@code a} to {@code who}: {@code Kind/name#index via Binding/name}; null when none does. */
    static String grant(Identity who, Attributes a, Policy policy) {
        if (!a.resourceRequest() && who.groups().contains("system:authenticated")) {
            for (String url : BUILT_IN_URLS) {
                if (a.verb().equals("get") && urlMatches(url, a.path())) return "ClusterRole/system:discovery (built in)";
            }
        }
        for (ObjectNode b : policy.clusterRoleBindings()) {
            if (!boundTo(b, who, null)) continue;
            JsonNode ref = b.path("roleRef");
            if (!"ClusterRole".equals(ref.path("kind").asText())) continue;
            String hit = matchRole(find(policy.clusterRoles(), null, ref.path("name").asText()), "ClusterRole/", a, true);
            if (hit != null) return hit + " via ClusterRoleBinding/" + name(b);
        }
        if (!a.resourceRequest() || a.namespace() == null) return null;
        for (ObjectNode b : policy.roleBindings()) {
            String ns = b.path("metadata").path("namespace").asText();
            if (!ns.equals(a.namespace()) || !boundTo(b, who, ns)) continue;
            JsonNode ref = b.path("roleRef");
            String kind = ref.path("kind").asText();
            String hit;
            if (kind.equals("ClusterRole")) {
                hit = matchRole(find(policy.clusterRoles(), null, ref.path("name").asText()), "ClusterRole/", a, false);
            } else if (kind.equals("Role")) {
                hit = matchRole(find(policy.roles(), ns, ref.path("name").asText()), "Role/" + ns + "/", a, false);
            } else {
                hit = null;
            }
            if (hit != null) return hit + " via RoleBinding/" + ns + "/" + name(b);
        }
        return null;
    }

    private static ObjectNode find(List<ObjectNode> roles, String namespace, String name) {
        for (ObjectNode r : roles) {
            JsonNode md = r.path("metadata");
            if (md.path("name").asText().equals(name)
                    && (namespace == null || md.path("namespace").asText().equals(namespace))) {
                return r;
            }
        }
        return null;  // a binding to a missing role grants nothing
    }

    private static String matchRole(ObjectNode role, String prefix, Attributes a, boolean nonResourceAllowed) {
        if (role == null) return null;
        int i = 0;
        for (JsonNode rule : role.path("rules")) {
            if (ruleMatches(rule, a, nonResourceAllowed)) return prefix + name(role) + "#" + i;
            i++;
        }
        return null;
    }

    static boolean ruleMatches(JsonNode rule, Attributes a, boolean nonResourceAllowed) {
        if (!anyMatches(rule.path("verbs"), a.verb())) return false;
        if (!a.resourceRequest()) {
            if (!nonResourceAllowed) return false;
            for (JsonNode u : rule.path("nonResourceURLs")) if (urlMatches(u.asText(), a.path())) return true;
            return false;
        }
        if (!anyMatches(rule.path("apiGroups"), a.apiGroup())) return false;
        if (!resourceMatches(rule.path("resources"), a.resource(), a.subresource())) return false;
        JsonNode names = rule.path("resourceNames");
        if (names.isArray() && !names.isEmpty()) {
            if (a.name() == null) return false;
            for (JsonNode n : names) if (n.asText().equals(a.name())) return true;
            return false;
        }
        return true;
    }

    private static boolean anyMatches(JsonNode values, String wanted) {
        for (JsonNode v : values) {
            if (v.asText().equals("*") || v.asText().equals(wanted)) return true;
        }
        return false;
    }

    private static boolean resourceMatches(JsonNode resources, String resource, String subresource) {
        String combined = subresource == null ? resource : resource + "/" + subresource;
        for (JsonNode r : resources) {
            String s = r.asText();
            if (s.equals("*") || s.equals(combined)) return true;
            if (subresource != null && s.equals("*/" + subresource)) return true;
        }
        return false;
    }

    private static boolean urlMatches(String rule, String path) {
        if (rule.equals("*") || rule.equals(path)) return true;
        return rule.endsWith("*") && path.startsWith(rule.substring(0, rule.length() - 1));
    }

    /** Whether binding {@code b} names {@code who}; a ServiceAccount subject without namespace takes the binding's. */
    private static boolean boundTo(JsonNode b, Identity who, String bindingNamespace) {
        for (JsonNode s : b.path("subjects")) {
            String kind = s.path("kind").asText();
            String name = s.path("name").asText();
            switch (kind) {
                case "User" -> {
                    if (name.equals(who.user())) return true;
                }
                case "Group" -> {
                    if (who.groups().contains(name)) return true;
                }
                case "ServiceAccount" -> {
                    String ns = s.path("namespace").asText("");
                    if (ns.isEmpty() && bindingNamespace != null) ns = bindingNamespace;
                    if (("system:serviceaccount:" + ns + ":" + name).equals(who.user())) return true;
                }
                default -> {
                    // unknown subject kinds bind nobody
                }
            }
        }
        return false;
    }

    private static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    /** The real server's message for a denial (k8s.io/apiserver's {@code forbiddenMessage}). */
    static String forbiddenMessage(Identity who, Attributes a) {
        if (!a.resourceRequest()) {
            return "forbidden: User \"" + who.user() + "\" cannot " + a.verb() + " path \"" + a.path() + "\"";
        }
        String resource = a.subresource() == null ? a.resource() : a.resource() + "/" + a.subresource();
        String why = "User \"" + who.user() + "\" cannot " + a.verb() + " resource \"" + resource + "\" in API group \""
                + a.apiGroup() + "\"" + (a.namespace() == null ? " at the cluster scope" : " in the namespace \"" + a.namespace() + "\"");
        String qualified = a.apiGroup().isEmpty() ? a.resource() : a.resource() + "." + a.apiGroup();
        return a.name() == null ? qualified + " is forbidden: " + why : qualified + " \"" + a.name() + "\" is forbidden: " + why;
    }
}
