package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The API behind {@link LoopbackKubeServer}: fabric8's CRUD dispatcher keeps the objects (uids,
 * resourceVersions, 409 on stale writes, status subresource); this class fills what it lacks as a
 * Kubernetes API server (see the module README). Every request but a watch runs under one lock, so
 * a list's resourceVersion and the watch history always agree.
 */
final class KubeApi {

    record Response(int code, String contentType, byte[] body) {
        static Response json(int code, String body) {
            return new Response(code, "application/json", body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final ObjectMapper json = new ObjectMapper();
    private final ReentrantLock lock = new ReentrantLock();
    /** Mirror of the store (group|plural|namespace|name -> object), fed by the CRUD dispatcher's events. */
    private final TreeMap<String, ObjectNode> store = new TreeMap<>();
    private final Map<String, String> logs = new LinkedHashMap<>();
    private final Map<String, Response> logAnswers = new LinkedHashMap<>();
    private final Kinds kinds = new Kinds();
    final WatchHub hub;
    private final Store crud = new Store();
    private long lastRv;

    KubeApi(int watchHistory) {
        this.hub = new WatchHub(json, watchHistory);
    }

    /** Captures every write of the CRUD store, the one place where all changes pass. */
    private final class Store extends KubernetesCrudDispatcher {
        @Override
        public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                                 GenericKubernetesResource resource, String newState) {
            super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
            ApiPath p = ApiPath.parse(path);
            if (p == null) return;
            if (newState != null) {
                ObjectNode obj = (ObjectNode) readTree(newState);
                JsonNode md = obj.path("metadata");
                String key = key(p.group(), p.plural(), md.path("namespace").asText(p.namespace()),
                        md.path("name").asText(p.name()));
                ObjectNode previous = store.put(key, obj);
                long rv = md.path("resourceVersion").asLong(0);
                lastRv = Math.max(lastRv, rv);
                hub.publish(new WatchHub.Event(rv, previous == null ? "ADDED" : "MODIFIED", p.group(), p.plural(),
                        obj.deepCopy(), previous));
            } else {
                ObjectNode previous = store.remove(key(p.group(), p.plural(), p.namespace(), p.name()));
                if (previous == null) return;
                // A deleted object carries a fresh resourceVersion, as on a real API server.
                long rv = requestResourceVersion();
                lastRv = Math.max(lastRv, rv);
                ObjectNode gone = previous.deepCopy();
                ((ObjectNode) gone.with("metadata")).put("resourceVersion", Long.toString(rv));
                hub.publish(new WatchHub.Event(rv, "DELETED", p.group(), p.plural(), gone, previous));
            }
        }
    }

    // ---------------------------------------------------------------- entry points

    Response handle(String method, String rawPath, String contentType, byte[] body) {
        return handle(method, rawPath, contentType, null, body);
    }

    /** {@code accept} may ask for metadata only ({@code as=PartialObjectMetadata}) on a get or list. */
    Response handle(String method, String rawPath, String contentType, String accept, byte[] body) {
        lock.lock();
        try {
            String upper = method.toUpperCase();
            Optional<String> as = Optional.empty();
            if (upper.equals("GET")) {
                try {
                    as = MetadataOnly.wanted(accept);
                } catch (IllegalArgumentException e) {
                    return status(406, "NotAcceptable", e.getMessage(), null, null);
                }
            }
            Response r = route(upper, rawPath, contentType, body == null ? new byte[0] : body);
            if (as.isEmpty() || r.code() != 200 || !r.contentType().equals("application/json")) return r;
            ApiPath p = ApiPath.parse(rawPath);
            if (p == null || p.subresource() != null) return r;
            return ok(200, MetadataOnly.convert(json, (ObjectNode) readTree(r.text()), as.get()));
        } catch (Patches.PatchException | IllegalArgumentException e) {
            return status(400, "BadRequest", e.getMessage(), null, null);
        } catch (RuntimeException e) {
            // A gap we did not fill: answer like an API server would rather than dropping the connection.
            return status(500, "InternalError", "loopback API server: " + e, null, null);
        } finally {
            lock.unlock();
        }
    }

    void expectPodLogAnswer(String ns, String pod, String contentType, String body) {
        lock.lock();
        try {
            logAnswers.put(ns + "/" + pod, new Response(200, contentType, body.getBytes(StandardCharsets.UTF_8)));
        } finally {
            lock.unlock();
        }
    }

    /** The RBAC objects in the store, for the authorizer. */
    RbacAuthorizer.Policy rbacPolicy() {
        lock.lock();
        try {
            return new RbacAuthorizer.Policy(objects(RbacAuthorizer.GROUP, "clusterroles"),
                    objects(RbacAuthorizer.GROUP, "clusterrolebindings"), objects(RbacAuthorizer.GROUP, "roles"),
                    objects(RbacAuthorizer.GROUP, "rolebindings"));
        } finally {
            lock.unlock();
        }
    }

    private List<ObjectNode> objects(String group, String plural) {
        String prefix = group + "|" + plural + "|";
        // Keys sort by group|plural|..., so the objects of one resource are one range of the map.
        return store.subMap(prefix, prefix + Character.MAX_VALUE).values().stream().map(ObjectNode::deepCopy).toList();
    }

    void expectPodLog(String ns, String pod, String container, boolean previous, String text) {
        lock.lock();
        try {
            logs.put(ns + "/" + pod + "/" + (container == null ? "" : container) + "/" + previous, text);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every object (informers see DELETED events) and forgets expected logs. */
    void reset() {
        lock.lock();
        try {
            for (String key : new ArrayList<>(store.keySet())) {
                ObjectNode o = store.get(key);
                String[] k = key.split("\\|", -1);
                String g = k[0];
                ApiPath p = new ApiPath(g, g.isEmpty() ? "v1" : apiVersionOf(o).substring(g.length() + 1),
                        k[2].isEmpty() ? null : k[2], k[1], k[3], null, Map.of());
                crudCall("DELETE", p.objectPath(), null, null);
            }
            logs.clear();
            logAnswers.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Opens a watch: initial lines and a live subscription, atomically. */
    record WatchStart(int code, String error, List<String> initial, WatchHub.Subscription subscription) {
    }

    /**
     * A {@code BOOKMARK} event for a watch of {@code p}: an object of the watched kind carrying only the
     * current resourceVersion, as a real API server sends to watches that asked for
     * {@code allowWatchBookmarks}, so a client can resume from there instead of relisting.
     */
    String bookmark(ApiPath p) {
        lock.lock();
        try {
            ObjectNode o = json.createObjectNode();
            o.put("kind", kind(p));
            o.put("apiVersion", p.apiVersion());
            o.putObject("metadata").put("resourceVersion", Long.toString(lastRv));
            return hub.line("BOOKMARK", o);
        } finally {
            lock.unlock();
        }
    }

    WatchStart startWatch(ApiPath p) {
        lock.lock();
        try {
            WatchHub.Filter filter = new WatchHub.Filter(p.group(), p.plural(), p.namespace(), p.name(),
                    Selectors.labels(p.param("labelSelector")), Selectors.fields(p.param("fieldSelector")));
            String rv = p.param("resourceVersion");
            List<String> initial = new ArrayList<>();
            if (rv == null || rv.isEmpty() || rv.equals("0")) {
                // "Start at most recent" with the current state as synthetic ADDED events.
                for (ObjectNode o : select(p, filter::matches)) initial.add(hub.line("ADDED", o));
            } else {
                long from;
                try {
                    from = Long.parseLong(rv);
                } catch (NumberFormatException e) {
                    return new WatchStart(400, status(400, "BadRequest", "invalid resourceVersion: " + rv, null, null).text(),
                            List.of(), null);
                }
                if (hub.expired(from)) {
                    ObjectNode st = (ObjectNode) readTree(status(410, "Expired",
                            "too old resource version: " + rv + " (" + lastRv + ")", null, null).text());
                    return new WatchStart(200, null, List.of(hub.line("ERROR", st)), null);
                }
                initial.addAll(hub.since(from, filter));
            }
            return new WatchStart(200, null, initial, hub.subscribe(filter));
        } catch (IllegalArgumentException e) {
            return new WatchStart(400, status(400, "BadRequest", e.getMessage(), null, null).text(), List.of(), null);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- routing

    private Response route(String method, String raw, String contentType, byte[] body) {
        String pathOnly = raw.contains("?") ? raw.substring(0, raw.indexOf('?')) : raw;
        if (pathOnly.endsWith("/") && pathOnly.length() > 1) pathOnly = pathOnly.substring(0, pathOnly.length() - 1);
        if (method.equals("GET")) {
            Optional<String> d = Discovery.answer(pathOnly, kinds);
            if (d.isPresent()) return Response.json(200, d.get());
        }
        ApiPath p = ApiPath.parse(raw);
        if (p == null) return status(404, "NotFound", "the server could not find the requested resource", null, null);
        if (p.subresource() != null) {
            switch (p.subresource()) {
                case "log":
                    if (p.group().isEmpty() && p.plural().equals("pods") && method.equals("GET")) return podLog(p);
                    break;
                case "eviction":
                    if (p.group().isEmpty() && p.plural().equals("pods") && method.equals("POST")) return evict(p, body);
                    break;
                case "scale":
                    return scale(method, p, contentType, body);
                case "status":
                    break;
                default:
                    return status(404, "NotFound", "subresource " + p.subresource() + " is not served", p.name(), kind(p));
            }
        }
        return switch (method) {
            case "GET" -> p.name() == null ? list(p) : get(p);
            case "POST" -> create(p, body);
            case "PUT" -> update(p, body);
            case "PATCH" -> patch(p, contentType, body);
            case "DELETE" -> p.name() == null ? deleteCollection(p) : delete(p);
            default -> status(405, "MethodNotAllowed", method + " is not supported", null, null);
        };
    }

    // ---------------------------------------------------------------- reads

    private Response get(ApiPath p) {
        ObjectNode o = store.get(key(p));
        if (o == null) return notFound(p);
        return ok(200, o);
    }

    private Response list(ApiPath p) {
        Predicate<JsonNode> labels = Selectors.labels(p.param("labelSelector"));
        Predicate<JsonNode> fields = Selectors.fields(p.param("fieldSelector"));
        List<ObjectNode> items = select(p, o -> labels.test(o) && fields.test(o));
        ObjectNode out = json.createObjectNode();
        out.put("apiVersion", p.apiVersion());
        out.put("kind", kind(p) + "List");
        ObjectNode md = out.putObject("metadata");
        // A continue token is "<resourceVersion of the first page>:<offset>". Like a real API server after etcd
        // compaction, a token whose resourceVersion the watch history no longer covers is 410 Expired.
        long listRv = lastRv;
        int offset = 0;
        String cont = p.param("continue");
        if (cont != null && !cont.isEmpty()) {
            try {
                String[] t = new String(java.util.Base64.getUrlDecoder().decode(cont), StandardCharsets.UTF_8).split(":", 2);
                listRv = Long.parseLong(t[0]);
                offset = Integer.parseInt(t[1]);
            } catch (RuntimeException e) {
                return status(400, "BadRequest", "invalid continue token", null, null);
            }
            if (hub.expired(listRv)) {
                return status(410, "Expired", "The provided continue parameter is too old to display a consistent list "
                        + "result. You can start a new list without the continue parameter.", null, null);
            }
        }
        md.put("resourceVersion", Long.toString(listRv));
        int limit = 0;
        String l = p.param("limit");
        if (l != null && !l.isEmpty()) limit = Integer.parseInt(l);
        int end = limit > 0 ? Math.min(items.size(), offset + limit) : items.size();
        ArrayNode arr = out.putArray("items");
        for (int i = Math.min(offset, items.size()); i < end; i++) arr.add(items.get(i));
        if (end < items.size()) {
            md.put("continue", java.util.Base64.getUrlEncoder().encodeToString((listRv + ":" + end).getBytes(StandardCharsets.UTF_8)));
            md.put("remainingItemCount", items.size() - end);
        }
        return ok(200, out);
    }

    /** Objects of the path's group/plural (and namespace, when given) that pass {@code filter}, sorted. */
    private List<ObjectNode> select(ApiPath p, Predicate<JsonNode> filter) {
        String prefix = p.group() + "|" + p.plural() + "|" + (p.namespace() == null ? "" : p.namespace() + "|");
        List<ObjectNode> out = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> e : store.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            if (p.name() != null && !p.name().equals(e.getValue().path("metadata").path("name").asText())) continue;
            if (filter.test(e.getValue())) out.add(e.getValue().deepCopy());
        }
        return out;
    }

    private Response podLog(ApiPath p) {
        if (!store.containsKey(key(p))) return notFound(p);
        Response fixed = logAnswers.get(p.namespace() + "/" + p.name());
        if (fixed != null) return fixed;
        String container = p.param("container");
        boolean previous = p.flag("previous");
        String prefix = p.namespace() + "/" + p.name() + "/";
        String text = null;
        if (container != null && !container.isEmpty()) {
            text = logs.get(prefix + container + "/" + previous);
            if (text == null) text = logs.get(prefix + "/" + previous);
        } else {
            for (Map.Entry<String, String> e : logs.entrySet()) {
                if (e.getKey().startsWith(prefix) && e.getKey().endsWith("/" + previous)) {
                    text = e.getValue();
                    break;
                }
            }
        }
        if (text == null && previous) {
            return status(400, "BadRequest", "previous terminated container \"" + (container == null ? "" : container)
                    + "\" in pod \"" + p.name() + "\" not found", p.name(), "Pod");
        }
        String tail = p.param("tailLines");
        if (text != null && tail != null && !tail.isEmpty()) text = tail(text, Integer.parseInt(tail));
        return new Response(200, "text/plain", (text == null ? "" : text).getBytes(StandardCharsets.UTF_8));
    }

    private static String tail(String text, int n) {
        String[] lines = text.split("\n", -1);
        int total = text.endsWith("\n") ? lines.length - 1 : lines.length;
        if (n >= total) return text;
        StringBuilder sb = new StringBuilder();
        for (int i = total - n; i < total; i++) sb.append(lines[i]).append('\n');
        return text.endsWith("\n") ? sb.toString() : sb.substring(0, sb.length() - 1);
    }

    // ---------------------------------------------------------------- writes

    private Response create(ApiPath p, byte[] body) {
        if (p.name() != null) return status(405, "MethodNotAllowed", "POST to an object path", p.name(), kind(p));
        ObjectNode obj = parseObject(body);
        if (obj == null) return status(400, "BadRequest", "the body must be a JSON object", null, kind(p));
        defaultTypeMeta(p, obj);
        ObjectNode md = obj.with("metadata");
        if (md.path("name").asText("").isEmpty()) {
            String gen = md.path("generateName").asText("");
            if (gen.isEmpty()) {
                return status(422, "Invalid", kind(p) + " is invalid: metadata.name: Required value: name or generateName is required",
                        null, kind(p));
            }
            md.put("name", gen + randomSuffix());
        }
        Response nsProblem = checkNamespace(p, md);
        if (nsProblem != null) return nsProblem;
        ApiPath target = p.withName(md.path("name").asText());
        if (store.containsKey(key(target))) {
            return status(409, "AlreadyExists", kind(p).toLowerCase() + "s \"" + target.name() + "\" already exists",
                    target.name(), kind(p));
        }
        if (p.dryRun()) {
            md.put("uid", UUID.randomUUID().toString());
            md.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            md.put("generation", 1);
            md.remove("resourceVersion");
            return ok(201, obj);
        }
        md.remove("resourceVersion");
        return crudCall("POST", p.collectionPath(), "application/json", write(obj));
    }

    private Response update(ApiPath p, byte[] body) {
        ObjectNode obj = parseObject(body);
        if (obj == null) return status(400, "BadRequest", "the body must be a JSON object", p.name(), kind(p));
        defaultTypeMeta(p, obj);
        ObjectNode md = obj.with("metadata");
        if (md.path("name").asText("").isEmpty()) md.put("name", p.name());
        if (!p.name().equals(md.path("name").asText())) {
            return status(400, "BadRequest", "the name of the object (" + md.path("name").asText()
                    + ") does not match the name on the URL (" + p.name() + ")", p.name(), kind(p));
        }
        Response nsProblem = checkNamespace(p, md);
        if (nsProblem != null) return nsProblem;
        ObjectNode current = store.get(key(p));
        if (current == null) return notFound(p);
        Response conflict = checkResourceVersion(p, md, current);
        if (conflict != null) return conflict;
        if (p.dryRun()) {
            ObjectNode out = obj.deepCopy();
            ObjectNode omd = out.with("metadata");
            JsonNode cmd = current.path("metadata");
            omd.set("uid", cmd.path("uid"));
            omd.set("creationTimestamp", cmd.path("creationTimestamp"));
            omd.set("resourceVersion", cmd.path("resourceVersion"));
            if ("status".equals(p.subresource())) {
                ObjectNode merged = current.deepCopy();
                if (obj.has("status")) merged.set("status", obj.get("status"));
                return ok(200, merged);
            }
            return ok(200, out);
        }
        String path = "status".equals(p.subresource()) ? p.objectPath() + "/status" : p.objectPath();
        return crudCall("PUT", path, "application/json", write(obj));
    }

    private Response patch(ApiPath p, String contentType, byte[] body) {
        ObjectNode current = store.get(key(p));
        boolean apply = contentType != null && contentType.contains("apply-patch");
        JsonNode patch = readTree(new String(body, StandardCharsets.UTF_8));
        if (patch == null) return status(400, "BadRequest", "the patch is not valid JSON", p.name(), kind(p));
        if (current == null) {
            if (apply && patch.isObject()) return create(p.withName(null), body);
            return notFound(p);
        }
        JsonNode patched = Patches.apply(contentType, current, patch);
        if (!patched.isObject()) return status(422, "Invalid", "the patched object is not an object", p.name(), kind(p));
        ObjectNode out = (ObjectNode) patched;
        ObjectNode md = out.with("metadata");
        JsonNode cmd = current.path("metadata");
        // A resourceVersion in the patch is a precondition; otherwise the patch applies to the current one.
        JsonNode wantedRv = patch.isObject() ? patch.path("metadata").path("resourceVersion") : null;
        if (wantedRv != null && wantedRv.isTextual() && !wantedRv.asText().equals(cmd.path("resourceVersion").asText())) {
            return conflict(p);
        }
        md.set("name", cmd.path("name"));
        if (cmd.has("namespace")) md.set("namespace", cmd.path("namespace"));
        md.set("uid", cmd.path("uid"));
        md.set("resourceVersion", cmd.path("resourceVersion"));
        md.set("creationTimestamp", cmd.path("creationTimestamp"));
        if (p.dryRun()) return ok(200, out);
        String path = "status".equals(p.subresource()) ? p.objectPath() + "/status" : p.objectPath();
        return crudCall("PUT", path, "application/json", write(out));
    }

    private Response delete(ApiPath p) {
        ObjectNode current = store.get(key(p));
        if (current == null) return notFound(p);
        if (p.dryRun()) return ok(200, current);
        return crudCall("DELETE", p.objectPath(), null, null);
    }

    private Response deleteCollection(ApiPath p) {
        Predicate<JsonNode> labels = Selectors.labels(p.param("labelSelector"));
        Predicate<JsonNode> fields = Selectors.fields(p.param("fieldSelector"));
        List<ObjectNode> victims = select(p, o -> labels.test(o) && fields.test(o));
        ObjectNode out = json.createObjectNode();
        out.put("apiVersion", p.apiVersion());
        out.put("kind", kind(p) + "List");
        out.putObject("metadata");
        ArrayNode items = out.putArray("items");
        for (ObjectNode v : victims) {
            items.add(v);
            if (!p.dryRun()) {
                crudCall("DELETE", p.withNamespace(v.path("metadata").path("namespace").asText(null))
                        .withName(v.path("metadata").path("name").asText()).objectPath(), null, null);
            }
        }
        out.with("metadata").put("resourceVersion", Long.toString(lastRv));
        return ok(200, out);
    }

    // ---------------------------------------------------------------- eviction

    private Response evict(ApiPath p, byte[] body) {
        ObjectNode pod = store.get(key(p.withName(p.name())));
        if (pod == null) return notFound(p);
        if (body.length > 0 && parseObject(body) == null) {
            return status(400, "BadRequest", "the body must be an Eviction object", p.name(), "Pod");
        }
        List<ObjectNode> pdbs = new ArrayList<>();
        for (ObjectNode pdb : select(new ApiPath("policy", "v1", p.namespace(), "poddisruptionbudgets", null, null, Map.of()), o -> true)) {
            if (Selectors.matches(pdb.path("spec").path("selector"), pod)) pdbs.add(pdb);
        }
        if (pdbs.size() > 1) {
            return status(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                    p.name(), "Pod");
        }
        if (pdbs.size() == 1) {
            String refusal = pdbRefusal(pdbs.get(0), pod);
            if (refusal != null) {
                ObjectNode st = (ObjectNode) readTree(status(429, "TooManyRequests",
                        "Cannot evict pod as it would violate the pod's disruption budget.", p.name(), "Pod").text());
                ArrayNode causes = st.with("details").putArray("causes");
                ObjectNode cause = causes.addObject();
                cause.put("reason", "DisruptionBudget");
                cause.put("message", refusal);
                return ok(429, st);
            }
        }
        if (!p.dryRun()) {
            Response r = crudCall("DELETE", p.objectPath(), null, null);
            if (r.code() >= 300) return r;
        }
        ObjectNode ok = json.createObjectNode();
        ok.put("kind", "Status");
        ok.put("apiVersion", "v1");
        ok.putObject("metadata");
        ok.put("status", "Success");
        ok.put("code", 201);
        return ok(201, ok);
    }

    /** Why {@code pdb} forbids evicting {@code pod}, or null when it allows it. */
    private String pdbRefusal(ObjectNode pdb, ObjectNode pod) {
        JsonNode spec = pdb.path("spec");
        String ns = pod.path("metadata").path("namespace").asText();
        int expected = 0;
        int healthy = 0;
        for (ObjectNode o : select(new ApiPath("", "v1", ns, "pods", null, null, Map.of()), o -> true)) {
            if (!Selectors.matches(spec.path("selector"), o)) continue;
            if (o.path("metadata").hasNonNull("deletionTimestamp")) continue;
            expected++;
            if (ready(o)) healthy++;
        }
        int desired;
        if (spec.has("minAvailable")) {
            desired = scaled(spec.get("minAvailable"), expected);
        } else if (spec.has("maxUnavailable")) {
            desired = Math.max(0, expected - scaled(spec.get("maxUnavailable"), expected));
        } else {
            desired = 0;
        }
        int allowed = Math.max(0, healthy - desired);
        String name = pdb.path("metadata").path("name").asText();
        String why = "The disruption budget " + name + " needs " + desired + " healthy pods and has " + healthy + " currently";
        if (ready(pod)) return allowed > 0 ? null : why;
        // An unready pod may go unless the budget is already broken (policy IfHealthyBudget).
        if ("AlwaysAllow".equals(spec.path("unhealthyPodEvictionPolicy").asText())) return null;
        return healthy >= desired ? null : why;
    }

    private static int scaled(JsonNode v, int total) {
        if (v.isNumber()) return v.asInt();
        String s = v.asText().trim();
        if (s.endsWith("%")) {
            int pct = Integer.parseInt(s.substring(0, s.length() - 1));
            return (int) Math.ceil(pct * total / 100.0);
        }
        return Integer.parseInt(s);
    }

    static boolean ready(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) return "True".equals(c.path("status").asText());
        }
        return false;
    }

    // ---------------------------------------------------------------- scale

    private Response scale(String method, ApiPath p, String contentType, byte[] body) {
        if (!p.group().equals("apps") || !(p.plural().equals("deployments") || p.plural().equals("statefulsets")
                || p.plural().equals("replicasets"))) {
            return status(404, "NotFound", "the scale subresource is served for apps/v1 deployments, statefulsets and replicasets",
                    p.name(), kind(p));
        }
        ObjectNode obj = store.get(key(p));
        if (obj == null) return notFound(p);
        ObjectNode scale = toScale(obj);
        ObjectNode wanted;
        switch (method) {
            case "GET":
                return ok(200, scale);
            case "PUT": {
                wanted = parseObject(body);
                if (wanted == null) return status(400, "BadRequest", "the body must be a Scale object", p.name(), kind(p));
                Response conflict = checkResourceVersion(p, wanted.with("metadata"), obj);
                if (conflict != null) return conflict;
                break;
            }
            case "PATCH": {
                JsonNode patch = readTree(new String(body, StandardCharsets.UTF_8));
                if (patch == null) return status(400, "BadRequest", "the patch is not valid JSON", p.name(), kind(p));
                JsonNode out = Patches.apply(contentType, scale, patch);
                if (!out.isObject()) return status(422, "Invalid", "the patched Scale is not an object", p.name(), kind(p));
                wanted = (ObjectNode) out;
                break;
            }
            default:
                return status(405, "MethodNotAllowed", method + " on scale", p.name(), kind(p));
        }
        JsonNode replicas = wanted.path("spec").path("replicas");
        if (!replicas.isIntegralNumber() || replicas.asInt() < 0) {
            return status(422, "Invalid", "Scale.spec.replicas: Invalid value: must be a non-negative integer", p.name(), "Scale");
        }
        ObjectNode updated = obj.deepCopy();
        updated.with("spec").put("replicas", replicas.asInt());
        if (p.dryRun()) return ok(200, toScale(updated));
        Response r = crudCall("PUT", p.objectPath(), "application/json", write(updated));
        if (r.code() >= 300) return r;
        return ok(200, toScale((ObjectNode) readTree(r.text())));
    }

    private ObjectNode toScale(ObjectNode obj) {
        ObjectNode s = json.createObjectNode();
        s.put("apiVersion", "autoscaling/v1");
        s.put("kind", "Scale");
        ObjectNode md = s.putObject("metadata");
        JsonNode omd = obj.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (omd.has(f)) md.set(f, omd.get(f));
        }
        s.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(1));
        ObjectNode st = s.putObject("status");
        st.put("replicas", obj.path("status").path("replicas").asInt(0));
        st.put("selector", Selectors.selectorString(obj.path("spec").path("selector")));
        return s;
    }

    // ---------------------------------------------------------------- helpers

    private Response crudCall(String method, String path, String contentType, String body) {
        Headers.Builder h = Headers.builder();
        if (contentType != null) h.add("Content-Type", contentType);
        Buffer b = new Buffer();
        if (body != null) b.writeUtf8(body);
        MockResponse r = crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), path, h.build(), b));
        String text = r.getBody() == null ? "" : r.getBody().readUtf8();
        if (r.code() >= 400 && text.isBlank()) {
            ApiPath p = ApiPath.parse(path);
            return status(r.code(), r.code() == 404 ? "NotFound" : r.code() == 409 ? "Conflict" : "BadRequest",
                    method + " " + path + " failed", p == null ? null : p.name(), p == null ? null : kind(p));
        }
        return Response.json(r.code(), text);
    }

    private void defaultTypeMeta(ApiPath p, ObjectNode obj) {
        if (obj.path("apiVersion").asText("").isEmpty()) obj.put("apiVersion", p.apiVersion());
        if (obj.path("kind").asText("").isEmpty()) obj.put("kind", kind(p));
        else kinds.learn(p.group(), p.plural(), obj.path("kind").asText());
    }

    private Response checkNamespace(ApiPath p, ObjectNode md) {
        if (p.namespace() == null) return null;
        String ns = md.path("namespace").asText("");
        if (ns.isEmpty()) {
            md.put("namespace", p.namespace());
            return null;
        }
        if (!ns.equals(p.namespace())) {
            return status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request",
                    md.path("name").asText(null), kind(p));
        }
        return null;
    }

    private Response checkResourceVersion(ApiPath p, JsonNode md, ObjectNode current) {
        String rv = md.path("resourceVersion").asText("");
        if (!rv.isEmpty() && !rv.equals(current.path("metadata").path("resourceVersion").asText())) return conflict(p);
        return null;
    }

    private Response conflict(ApiPath p) {
        return status(409, "Conflict", "Operation cannot be fulfilled on " + p.plural() + " \"" + p.name()
                + "\": the object has been modified; please apply your changes to the latest version and try again",
                p.name(), kind(p));
    }

    private Response notFound(ApiPath p) {
        String group = p.group().isEmpty() ? "" : "." + p.group();
        return status(404, "NotFound", p.plural() + group + " \"" + p.name() + "\" not found", p.name(), kind(p));
    }

    /** A 403 as the API server's authorization filter writes it: details name the group and the plural resource. */
    Response forbidden(String message, String group, String resource, String name) {
        ObjectNode s = json.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", "Forbidden");
        ObjectNode d = s.putObject("details");
        if (name != null && !name.isEmpty()) d.put("name", name);
        if (group != null && !group.isEmpty()) d.put("group", group);
        if (resource != null && !resource.isEmpty()) d.put("kind", resource);
        s.put("code", 403);
        return ok(403, s);
    }

    Response status(int code, String reason, String message, String name, String kind) {
        ObjectNode s = json.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", reason);
        if (name != null || kind != null) {
            ObjectNode d = s.putObject("details");
            if (name != null) d.put("name", name);
            if (kind != null) d.put("kind", kind.toLowerCase() + "s");
        }
        s.put("code", code);
        return ok(code, s);
    }

    private Response ok(int code, JsonNode body) {
        return Response.json(code, write(body));
    }

    private String kind(ApiPath p) {
        return kinds.kind(p.group(), p.plural());
    }

    private static String apiVersionOf(JsonNode o) {
        return o.path("apiVersion").asText("v1");
    }

    private static String key(String group, String plural, String ns, String name) {
        return group + "|" + plural + "|" + (ns == null ? "" : ns) + "|" + name;
    }

    private static String key(ApiPath p) {
        return key(p.group(), p.plural(), p.namespace(), p.name());
    }

    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        return sb.toString();
    }

    private ObjectNode parseObject(byte[] body) {
        JsonNode n = readTree(new String(body, StandardCharsets.UTF_8));
        return n instanceof ObjectNode o ? o : null;
    }

    JsonNode readTree(String s) {
        try {
            return s == null || s.isBlank() ? null : json.readTree(s);
        } catch (Exception e) {
            return null;
        }
    }

    String write(JsonNode n) {
        try {
            return json.writeValueAsString(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
