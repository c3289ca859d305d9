package io.kubeincident.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Optional;

/**
 * Metadata-only reads, as a real API server serves them: a get or list with
 * {@code Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1} (or
 * {@code as=PartialObjectMetadataList} for a list) answers the objects' metadata and nothing else, so a
 * client can learn names, labels and change times without receiving the data.
 */
final class MetadataOnly {

    private MetadataOnly() {
    }

    /**
     * The {@code meta.k8s.io} version asked for, empty for a plain JSON answer. An Accept that lists only
     * other {@code as=} conversions (such as a Table) cannot be served: 406, as on a real server without it.
     */
    static Optional<String> wanted(String accept) {
        if (accept == null || accept.isBlank()) return Optional.empty();
        boolean plain = false;
        boolean other = false;
        for (String mediaType : accept.split(",")) {
            String[] params = mediaType.trim().split(";");
            String type = params[0].trim().toLowerCase(Locale.ROOT);
            String as = null;
            String g = null;
            String v = null;
            for (int i = 1; i < params.length; i++) {
                String[] kv = params[i].trim().split("=", 2);
                if (kv.length != 2) continue;
                switch (kv[0].trim()) {
                    case "as" -> as = kv[1].trim();
                    case "g" -> g = kv[1].trim();
                    case "v" -> v = kv[1].trim();
                    default -> {
                        // q and other parameters do not change the answer here
                    }
                }
            }
            if (as == null) {
                if (type.equals("application/json") || type.equals("*/*") || type.equals("application/*")) plain = true;
                continue;
            }
            if ((as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList")) && "meta.k8s.io".equals(g)
                    && ("v1".equals(v) || "v1beta1".equals(v))) {
                return Optional.of(v);
            }
            other = true;
        }
        if (other && !plain) throw new IllegalArgumentException("only the following media types are accepted: application/json, "
                + "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        return Optional.empty();
    }

    /** An object as PartialObjectMetadata, a list as PartialObjectMetadataList. */
    static ObjectNode convert(ObjectMapper json, ObjectNode answer, String version) {
        String apiVersion = "meta.k8s.io/" + version;
        if (answer.has("items")) {
            ObjectNode list = json.createObjectNode();
            list.put("kind", "PartialObjectMetadataList");
            list.put("apiVersion", apiVersion);
            list.set("metadata", answer.path("metadata").deepCopy());
            ArrayNode items = list.putArray("items");
            for (JsonNode item : answer.path("items")) items.add(one(json, item, apiVersion));
            return list;
        }
        return one(json, answer, apiVersion);
    }

    private static ObjectNode one(ObjectMapper json, JsonNode o, String apiVersion) {
        ObjectNode out = json.createObjectNode();
        out.put("kind", "PartialObjectMetadata");
        out.put("apiVersion", apiVersion);
        out.set("metadata", o.path("metadata").deepCopy());
        return out;
    }
}
