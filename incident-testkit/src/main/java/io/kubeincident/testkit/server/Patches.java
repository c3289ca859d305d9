package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The three patch formats of the API server: RFC 6902 JSON patch, RFC 7386 merge patch and an
 * approximation of strategic merge patch (lists of objects merge on a key, {@code name} by default;
 * {@code $}-directives are dropped). All work on copies.
 */
final class Patches {

    private Patches() {
    }

    static final class PatchException extends RuntimeException {
        PatchException(String m) {
            super(m);
        }
    }

    static JsonNode apply(String contentType, JsonNode target, JsonNode patch) {
        String ct = contentType == null ? "" : contentType.toLowerCase();
        if (ct.contains("json-patch")) return jsonPatch(target, patch);
        if (ct.contains("strategic-merge-patch") || ct.contains("apply-patch")) return strategicMerge(target, patch, "");
        if (ct.contains("merge-patch")) return mergePatch(target, patch);
        throw new PatchException("unsupported patch content type: " + contentType);
    }

    /** RFC 7386: objects merge recursively, null deletes, everything else (arrays too) replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) return patch.deepCopy();
        ObjectNode out = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
            }
        }
        return out;
    }

    /** Merge keys of the lists strategic merge patch merges by key; other object lists use {@code name}. */
    private static String mergeKey(String field) {
        return switch (field) {
            case "conditions" -> "type";
            case "ports" -> "containerPort";
            case "ownerReferences" -> "uid";
            case "volumeMounts" -> "mountPath";
            case "imagePullSecrets", "containers", "initContainers", "env", "volumes", "ephemeralContainers" -> "name";
            default -> "name";
        };
    }

    static JsonNode strategicMerge(JsonNode target, JsonNode patch, String field) {
        if (patch.isObject()) {
            ObjectNode out = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                    : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().startsWith("$")) continue;
                if (e.getValue().isNull()) {
                    out.remove(e.getKey());
                } else {
                    out.set(e.getKey(), strategicMerge(out.get(e.getKey()), e.getValue(), e.getKey()));
                }
            }
            return out;
        }
        if (patch.isArray() && target != null && target.isArray()) {
            String key = mergeKey(field);
            if (allObjectsWith(patch, key) && allObjectsWith(target, key)) {
                ArrayNode out = ((ArrayNode) target).deepCopy();
                for (JsonNode p : patch) {
                    int idx = indexOf(out, key, p.get(key).asText());
                    if (idx < 0) {
                        out.add(strategicMerge(null, p, field));
                    } else {
                        out.set(idx, strategicMerge(out.get(idx), p, field));
                    }
                }
                return out;
            }
        }
        return stripDirectives(patch.deepCopy());
    }

    private static JsonNode stripDirectives(JsonNode n) {
        if (n.isObject()) {
            List<String> drop = new ArrayList<>();
            n.fieldNames().forEachRemaining(f -> {
                if (f.startsWith("$")) drop.add(f);
            });
            ((ObjectNode) n).remove(drop);
            n.forEach(Patches::stripDirectives);
        } else if (n.isArray()) {
            n.forEach(Patches::stripDirectives);
        }
        return n;
    }

    private static boolean allObjectsWith(JsonNode arr, String key) {
        if (arr.isEmpty()) return true;
        for (JsonNode n : arr) {
            if (!n.isObject() || !n.has(key)) return false;
        }
        return true;
    }

    private static int indexOf(ArrayNode arr, String key, String value) {
        for (int i = 0; i < arr.size(); i++) {
            if (value.equals(arr.get(i).path(key).asText())) return i;
        }
        return -1;
    }

    /** RFC 6902 JSON patch: add, remove, replace, move, copy, test. */
    static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) throw new PatchException("a JSON patch must be an array");
        JsonNode doc = target.deepCopy();
        for (JsonNode op : patch) {
            String kind = op.path("op").asText();
            String path = op.path("path").asText(null);
            if (path == null) throw new PatchException("JSON patch operation without path: " + op);
            switch (kind) {
                case "add" -> doc = add(doc, path, value(op));
                case "remove" -> doc = remove(doc, path);
                case "replace" -> {
                    get(doc, path);
                    doc = add(remove(doc, path), path, value(op));
                }
                case "move" -> {
                    String from = op.path("from").asText();
                    JsonNode v = get(doc, from);
                    doc = add(remove(doc, from), path, v);
                }
                case "copy" -> doc = add(doc, path, get(doc, op.path("from").asText()).deepCopy());
                case "test" -> {
                    if (!get(doc, path).equals(value(op))) throw new PatchException("test failed at " + path);
                }
                default -> throw new PatchException("unknown JSON patch op: " + kind);
            }
        }
        return doc;
    }

    private static JsonNode value(JsonNode op) {
        if (!op.has("value")) throw new PatchException("JSON patch operation without value: " + op);
        return op.get("value").deepCopy();
    }

    private static List<String> tokens(String path) {
        List<String> out = new ArrayList<>();
        if (path.isEmpty()) return out;
        if (!path.startsWith("/")) throw new PatchException("invalid JSON pointer: " + path);
        for (String t : path.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode cur = doc;
        for (String t : tokens(path)) {
            cur = cur.isArray() ? cur.get(index(t, cur.size() - 1)) : cur.get(t);
            if (cur == null) throw new PatchException("path not found: " + path);
        }
        return cur;
    }

    private static JsonNode parent(JsonNode doc, List<String> toks, String path) {
        JsonNode cur = doc;
        for (String t : toks.subList(0, toks.size() - 1)) {
            cur = cur.isArray() ? cur.get(index(t, cur.size() - 1)) : cur.get(t);
            if (cur == null) throw new PatchException("path not found: " + path);
        }
        return cur;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        List<String> toks = tokens(path);
        if (toks.isEmpty()) return value;
        JsonNode p = parent(doc, toks, path);
        String last = toks.get(toks.size() - 1);
        if (p.isArray()) {
            ArrayNode a = (ArrayNode) p;
            if (last.equals("-")) a.add(value);
            else a.insert(index(last, a.size()), value);
        } else if (p.isObject()) {
            ((ObjectNode) p).set(last, value);
        } else {
            throw new PatchException("cannot add to a scalar at " + path);
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        List<String> toks = tokens(path);
        if (toks.isEmpty()) throw new PatchException("cannot remove the whole document");
        JsonNode p = parent(doc, toks, path);
        String last = toks.get(toks.size() - 1);
        if (p.isArray()) {
            ((ArrayNode) p).remove(index(last, p.size() - 1));
        } else if (p.isObject() && p.has(last)) {
            ((ObjectNode) p).remove(last);
        } else {
            throw new PatchException("path not found: " + path);
        }
        return doc;
    }

    private static int index(String t, int max) {
        try {
            int i = Integer.parseInt(t);
            if (i < 0 || i > max) throw new PatchException("index out of range: " + t);
            return i;
        } catch (NumberFormatException e) {
            throw new PatchException("not an array index: " + t);
        }
    }
}
