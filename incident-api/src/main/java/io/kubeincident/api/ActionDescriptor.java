package io.kubeincident.api;

import java.util.Map;
import java.util.Set;

/**
 * What an analyzer is told about a registered action: its id, what it does, which kinds it acts on
 * and the JSON schema of its parameters. An analyzer may only propose actions from this list.
 *
 * @param id               action type id
 * @param description      one line
 * @param targetKinds      kinds it accepts as target
 * @param parametersSchema a JSON Schema (draft 2020-12 subset) as nested maps, {@code type: object}
 */
public record ActionDescriptor(String id, String description, Set<String> targetKinds,
                               Map<String, Object> parametersSchema) {
    public ActionDescriptor {
        Ids.requireKebab(id, "id");
        description = description == null ? "" : description;
        targetKinds = targetKinds == null ? Set.of() : Set.copyOf(targetKinds);
        parametersSchema = parametersSchema == null ? Map.of("type", "object") : Map.copyOf(parametersSchema);
    }
}
