package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.Reversible;
import io.kubeincident.spi.SupportsDryRun;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code patch-configmap}: sets the given keys of a ConfigMap, keeping the previous values for undo, then
 * restarts the workloads of the incident that read it (other readers are named, never touched). Refuses
 * immutable ConfigMaps. Setting values it already has changes nothing. Reversible.
 */
public final class PatchConfigMapAction extends KubeAction implements SupportsDryRun, Reversible {

    static final Permission GET = Permission.core("configmaps", "get");
    static final Permission PATCH = Permission.core("configmaps", "patch");
    static final String KEY_PATTERN = "^[-._a-zA-Z0-9]+$";

    private final ConsumerRoller roller;

    public PatchConfigMapAction(KubeApi kube) {
        super(kube);
        this.roller = new ConsumerRoller(kube);
    }

    @Override
    public String id() {
        return ActionTypes.PATCH_CONFIGMAP;
    }

    @Override
    public String description() {
        return "Set keys of a ConfigMap (previous values kept for undo), then restart the incident's workloads that read it.";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("ConfigMap");
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return schema("keys to set and their new values", "ConfigMap");
    }

    /** The parameters both patch actions take: {@code data} to set, and whether to restart its readers. */
    static Map<String, Object> schema(String dataDescription, String kind) {
        return Schemas.object(Map.of(
                "data", Schemas.stringMap(KEY_PATTERN, 20, 65536, dataDescription),
                "rollConsumers", Schemas.bool("restart the incident's workloads that read the " + kind + "; default true")),
                List.of("data"));
    }

    @Override
    public Set<Permission> permissions() {
        return ConsumerRoller.permissions(GET, PATCH);
    }

    @Override
    public String enableKey() {
        return "enable_config_update";
    }

    @Override
    protected String eventReasonPrefix() {
        return "PatchConfigMap";
    }

    static Map<String, String> data(ActionRequest request) {
        Map<String, String> out = new TreeMap<>();
        if (request.parameters().get("data") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        return out;
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        return problems(request, read(request, context));
    }

    /** What is wrong with the keys and values to set, and the refusal of an immutable {@code kind}. */
    static List<String> dataProblems(ActionRequest request, String kind, Boolean immutable) {
        List<String> problems = new ArrayList<>();
        Map<String, String> data = data(request);
        if (data.isEmpty()) problems.add("data must name at least one key to set");
        data.forEach((k, v) -> {
            if (!k.matches(KEY_PATTERN)) problems.add("not a valid " + kind + " key: " + k);
            if (v == null) problems.add("value of " + k + " must be a string");
        });
        if (Boolean.TRUE.equals(immutable)) problems.add("refused: " + request.target() + " is immutable");
        return problems;
    }

    private List<String> problems(ActionRequest request, V1ConfigMap cm) {
        List<String> problems = dataProblems(request, "ConfigMap", cm.getImmutable());
        if (cm.getBinaryData() != null) {
            for (String k : data(request).keySet()) {
                if (cm.getBinaryData().containsKey(k)) problems.add("refused: " + k + " is a binaryData key of " + request.target());
            }
        }
        return problems;
    }

    private V1ConfigMap read(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef t = request.target();
        CoreV1Api api = new CoreV1Api(context.apiClient());
        return kube.call(GET, t.key(), () -> api.readNamespacedConfigMap(t.name(), t.namespace()).execute());
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef target = request.target();
        V1ConfigMap cm = read(request, context);
        List<String> problems = problems(request, cm);
        if (!problems.isEmpty()) return ActionResult.failed(String.join("; ", problems));
        Map<String, String> wanted = data(request);
        Map<String, String> current = cm.getData() == null ? Map.of() : cm.getData();
        Map<String, Object> previous = new TreeMap<>();
        List<String> absent = new ArrayList<>();
        Map<String, String> changes = new TreeMap<>();
        wanted.forEach((k, v) -> {
            if (v.equals(current.get(k))) return;
            changes.put(k, v);
            if (current.containsKey(k) && current.get(k) != null) previous.put(k, current.get(k));
            else absent.add(k);
        });
        if (changes.isEmpty()) {
            return ActionResult.skipped(target + " already has the requested values of " + wanted.keySet());
        }
        // the whole map: client-java reads an absent map as empty, so per-key paths might not exist
        Map<String, String> data = new TreeMap<>(current);
        data.putAll(changes);
        JsonPatch patch = new JsonPatch().add("/data", data).precondition(cm.getMetadata().getResourceVersion());
        patchConfigMap(request, context, patch);
        ConsumerRoller.Rolled rolled = roller.rollIfAsked(request, context, false, id());
        String msg = "set " + changes.keySet() + " in " + target + describe(rolled);
        if (request.dryRun()) return ActionResult.dryRun("would have " + msg + "; accepted with dryRun=All");
        event(context, request, target, EVENT_NORMAL, "PatchConfigMap", msg);
        Map<String, Object> undo = new LinkedHashMap<>();
        undo.put("previous", previous);
        undo.put("absent", absent);
        undo.put("restarted", rolled.restarted());
        return ActionResult.applied(msg, undo);
    }

    static String describe(ConsumerRoller.Rolled rolled) {
        StringBuilder sb = new StringBuilder();
        if (!rolled.restarted().isEmpty()) sb.append("; restarted ").append(rolled.restarted());
        if (!rolled.untouched().isEmpty()) sb.append("; also read by ").append(rolled.untouched()).append(" (outside the incident, not restarted)");
        return sb.toString();
    }

    private void patchConfigMap(ActionRequest request, ActionContext context, JsonPatch patch) throws KubeCallException {
        ResourceRef t = request.target();
        CoreV1Api api = new CoreV1Api(context.apiClient());
        V1Patch body = new V1Patch(patch.toJson());
        kube.patch(V1ConfigMap.class, PATCH, t.key(), V1Patch.PATCH_FORMAT_JSON_PATCH, context.apiClient(),
                () -> api.patchNamespacedConfigMap(t.name(), t.namespace(), body).dryRun(dryRun(request)).buildCall(null));
    }

    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return undoGuarded(original, applied, context);
    }

    @Override
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        ResourceRef target = original.target();
        Map<String, Object> u = applied.undoState();
        if (!(u.get("previous") instanceof Map<?, ?> previous) || !(u.get("absent") instanceof List<?> absent)) {
            return ActionResult.failed("undo of patch-configmap on " + target + ": no previous values recorded");
        }
        V1ConfigMap cm = read(original, context);
        Map<String, String> current = cm.getData() == null ? Map.of() : cm.getData();
        Map<String, String> data = new TreeMap<>(current);
        previous.forEach((k, v) -> data.put(String.valueOf(k), String.valueOf(v)));
        for (Object k : absent) data.remove(String.valueOf(k));
        if (data.equals(new TreeMap<>(current))) return ActionResult.skipped(target + " already has its previous values");
        patchConfigMap(original, context, new JsonPatch().add("/data", data).precondition(cm.getMetadata().getResourceVersion()));
        ConsumerRoller.Rolled rolled = roller.roll(original, context, false, id() + "-undo");
        String msg = "restored the previous values of " + target + describe(rolled);
        if (original.dryRun()) return ActionResult.dryRun("would have " + msg);
        event(context, original, target, EVENT_NORMAL, "PatchConfigMapUndone", msg);
        return ActionResult.applied(msg, Map.of());
    }
}
