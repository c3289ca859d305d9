package io.kubeincident.testkit.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Minimal discovery documents (/version, /api, /apis, /api/v1, /apis/{group}/{version}). */
final class Discovery {

    private Discovery() {
    }

    static Optional<String> answer(String path, Kinds kinds) {
        switch (path) {
            case "/version":
                return Optional.of("{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\",\"gitCommit\":\"loopback\","
                        + "\"gitTreeState\":\"clean\",\"buildDate\":\"2025-01-01T00:00:00Z\",\"goVersion\":\"go1.23\","
                        + "\"compiler\":\"gc\",\"platform\":\"linux/amd64\"}");
            case "/api":
                return Optional.of("{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                        + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}");
            case "/apis": {
                List<String> groups = new ArrayList<>();
                for (String g : Kinds.KNOWN.keySet()) {
                    if (g.isEmpty()) continue;
                    String gv = g + "/" + Kinds.preferredVersion(g);
                    String v = "{\"groupVersion\":\"" + gv + "\",\"version\":\"" + Kinds.preferredVersion(g) + "\"}";
                    groups.add("{\"name\":\"" + g + "\",\"versions\":[" + v + "],\"preferredVersion\":" + v + "}");
                }
                return Optional.of("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[" + String.join(",", groups) + "]}");
            }
            default:
                break;
        }
        String group = null;
        String version = null;
        String[] seg = path.substring(1).split("/");
        if (seg.length == 2 && seg[0].equals("api")) {
            group = "";
            version = seg[1];
        } else if (seg.length == 3 && seg[0].equals("apis")) {
            group = seg[1];
            version = seg[2];
        } else if (seg.length == 2 && seg[0].equals("apis") && Kinds.KNOWN.containsKey(seg[1])) {
            String g = seg[1];
            String v = "{\"groupVersion\":\"" + g + "/" + Kinds.preferredVersion(g) + "\",\"version\":\""
                    + Kinds.preferredVersion(g) + "\"}";
            return Optional.of("{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":\"" + g + "\",\"versions\":[" + v
                    + "],\"preferredVersion\":" + v + "}");
        }
        if (group == null || !Kinds.KNOWN.containsKey(group)) return Optional.empty();
        String gv = group.isEmpty() ? version : group + "/" + version;
        List<String> resources = new ArrayList<>();
        String verbs = "[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]";
        for (Map.Entry<String, String> e : Kinds.KNOWN.get(group).entrySet()) {
            String plural = e.getKey();
            String kind = e.getValue();
            boolean namespaced = !Kinds.CLUSTER_SCOPED.contains(plural);
            resources.add("{\"name\":\"" + plural + "\",\"singularName\":\"" + kind.toLowerCase() + "\",\"namespaced\":"
                    + namespaced + ",\"kind\":\"" + kind + "\",\"verbs\":" + verbs + "}");
            resources.add("{\"name\":\"" + plural + "/status\",\"singularName\":\"\",\"namespaced\":" + namespaced
                    + ",\"kind\":\"" + kind + "\",\"verbs\":[\"get\",\"patch\",\"update\"]}");
        }
        if (group.isEmpty()) {
            resources.add("{\"name\":\"pods/log\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"Pod\",\"verbs\":[\"get\"]}");
            resources.add("{\"name\":\"pods/eviction\",\"singularName\":\"\",\"namespaced\":true,\"group\":\"policy\","
                    + "\"version\":\"v1\",\"kind\":\"Eviction\",\"verbs\":[\"create\"]}");
        }
        if (group.equals("apps")) {
            for (String plural : List.of("deployments", "statefulsets", "replicasets")) {
                resources.add("{\"name\":\"" + plural + "/scale\",\"singularName\":\"\",\"namespaced\":true,\"group\":\"autoscaling\","
                        + "\"version\":\"v1\",\"kind\":\"Scale\",\"verbs\":[\"get\",\"patch\",\"update\"]}");
            }
        }
        return Optional.of("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + gv
                + "\",\"resources\":[" + String.join(",", resources) + "]}");
    }
}
