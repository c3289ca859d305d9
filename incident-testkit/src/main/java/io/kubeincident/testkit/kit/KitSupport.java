package io.kubeincident.testkit.kit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubeincident.api.Ids;
import io.kubernetes.client.openapi.ApiClient;
import okhttp3.Request;
import okhttp3.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Checks shared by the compatibility kits. */
final class KitSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Collections whose content the action kit compares before and after (events excluded on purpose). */
    private static final List<String> COLLECTIONS = List.of("/api/v1/pods", "/api/v1/nodes", "/api/v1/namespaces",
            "/api/v1/configmaps", "/api/v1/services", "/api/v1/persistentvolumeclaims",
            "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets", "/apis/apps/v1/statefulsets",
            "/apis/apps/v1/daemonsets", "/apis/batch/v1/jobs", "/apis/batch/v1/cronjobs",
            "/apis/policy/v1/poddisruptionbudgets", "/apis/autoscaling/v1/horizontalpodautoscalers");

    private KitSupport() {
    }

    static void assertKebabAndStable(String first, String second, String what) {
        assertTrue(Ids.isKebab(first), what + " id must be kebab-case (a-z, 0-9, '-'), was: " + first);
        assertEquals(first, second, what + " id must be stable across calls and instances");
    }

    /** The provider of class {@code type} that {@link ServiceLoader} finds for {@code spi}. */
    static <P> P loadProvider(Class<P> spi, Class<? extends P> type) {
        List<String> seen = new ArrayList<>();
        for (ServiceLoader.Provider<P> p : ServiceLoader.load(spi).stream().toList()) {
            seen.add(p.type().getName());
            if (p.type().equals(type)) return p.get();
        }
        return fail(type.getName() + " is not registered in META-INF/services/" + spi.getName() + " (found: " + seen + ")");
    }

    /**
     * What the server holds, object key to JSON; with {@code ignoreVersions} the resourceVersion,
     * generation and managedFields are left out (for idempotence, where an equal re-write is fine).
     */
    static Map<String, String> serverState(ApiClient client, boolean ignoreVersions) {
        Map<String, String> out = new TreeMap<>();
        for (String path : COLLECTIONS) {
            Request req = new Request.Builder().url(client.getBasePath() + path).get().build();
            try (Response r = client.getHttpClient().newCall(req).execute()) {
                if (r.code() != 200 || r.body() == null) continue;
                JsonNode list = JSON.readTree(r.body().string());
                for (JsonNode item : list.path("items")) {
                    ObjectNode o = (ObjectNode) item.deepCopy();
                    JsonNode md = o.path("metadata");
                    String key = path + "/" + md.path("namespace").asText("") + "/" + md.path("name").asText();
                    if (ignoreVersions && md instanceof ObjectNode m) {
                        m.remove(List.of("resourceVersion", "generation", "managedFields"));
                    }
                    out.put(key, JSON.writeValueAsString(o));
                }
            } catch (Exception e) {
                throw new AssertionError("cannot read " + path + " from the loopback API server", e);
            }
        }
        return out;
    }

    static void assertUnchanged(Map<String, String> before, Map<String, String> after, String what) {
        if (before.equals(after)) return;
        List<String> diffs = new ArrayList<>();
        for (String k : before.keySet()) {
            if (!after.containsKey(k)) diffs.add("deleted " + k);
            else if (!before.get(k).equals(after.get(k))) diffs.add("changed " + k);
        }
        for (String k : after.keySet()) if (!before.containsKey(k)) diffs.add("created " + k);
        fail(what + ": " + diffs);
    }
}
