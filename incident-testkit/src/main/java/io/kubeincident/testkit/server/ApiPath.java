package io.kubeincident.testkit.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Kubernetes REST path: {@code /api/v1/namespaces/ns/pods/name/log} or
 * {@code /apis/apps/v1/deployments}. {@code group} is empty for the core group.
 */
record ApiPath(String group, String version, String namespace, String plural, String name, String subresource,
               Map<String, String> query) {

    /** Parses {@code rawPath} (path and optional query); {@code null} when it is not a resource path. */
    static ApiPath parse(String raw) {
        String path = raw;
        String q = null;
        int i = raw.indexOf('?');
        if (i >= 0) {
            path = raw.substring(0, i);
            q = raw.substring(i + 1);
        }
        Map<String, String> query = parseQuery(q);
        List<String> seg = new ArrayList<>(Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
        String group;
        String version;
        List<String> rest;
        if (seg.size() >= 2 && seg.get(0).equals("api")) {
            group = "";
            version = seg.get(1);
            rest = seg.subList(2, seg.size());
        } else if (seg.size() >= 3 && seg.get(0).equals("apis")) {
            group = seg.get(1);
            version = seg.get(2);
            rest = seg.subList(3, seg.size());
        } else {
            return null;
        }
        if (rest.isEmpty()) return null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            return new ApiPath(group, version, rest.get(1), rest.get(2), at(rest, 3), at(rest, 4), query);
        }
        return new ApiPath(group, version, null, rest.get(0), at(rest, 1), at(rest, 2), query);
    }

    private static String at(List<String> l, int i) {
        return i < l.size() ? l.get(i) : null;
    }

    static Map<String, String> parseQuery(String q) {
        Map<String, String> m = new LinkedHashMap<>();
        if (q == null || q.isEmpty()) return m;
        for (String kv : q.split("&")) {
            if (kv.isEmpty()) continue;
            int e = kv.indexOf('=');
            String k = URLDecoder.decode(e < 0 ? kv : kv.substring(0, e), StandardCharsets.UTF_8);
            String v = e < 0 ? "" : URLDecoder.decode(kv.substring(e + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    String param(String key) {
        return query.get(key);
    }

    boolean flag(String key) {
        return "true".equalsIgnoreCase(query.get(key)) || "1".equals(query.get(key));
    }

    boolean dryRun() {
        String d = query.get("dryRun");
        return d != null && !d.isEmpty();
    }

    /** The path of the object itself (no subresource, no query). */
    String objectPath() {
        return collectionPath() + "/" + name;
    }

    String collectionPath() {
        String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespace == null ? base + "/" + plural : base + "/namespaces/" + namespace + "/" + plural;
    }

    ApiPath withNamespace(String ns) {
        return new ApiPath(group, version, ns, plural, name, subresource, query);
    }

    ApiPath withName(String n) {
        return new ApiPath(group, version, namespace, plural, n, subresource, query);
    }
}
