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
import io.kubernetes.client.openapi.models.V1Secret;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code patch-secret}: sets the given keys of a Secret, then restarts the incident's workloads that read
 * it. Values never leave the process: messages, events and the undo state name keys only; the previous
 * values wait for an undo in a {@link SecretUndoVault} in memory; API error bodies are not repeated (they can
 * echo what was sent). Refuses immutable Secrets and service-account tokens. Reversible while the process
 * keeps the previous values.
 */
public final class PatchSecretAction extends KubeAction implements SupportsDryRun, Reversible, SensitiveParameters {

    static final Permission GET = Permission.core("secrets", "get");
    static final Permission PATCH = Permission.core("secrets", "patch");

    private final ConsumerRoller roller;
    private final SecretUndoVault vault;

    public PatchSecretAction(KubeApi kube, SecretUndoVault vault) {
        super(kube);
        this.roller = new ConsumerRoller(kube);
        this.vault = vault;
    }

    @Override
    public String id() {
        return ActionTypes.PATCH_SECRET;
    }

    @Override
    public String description() {
        return "Set keys of a Secret (values never logged; previous values kept in memory for undo), then restart the incident's workloads that read it.";
    }

    @Override
    public Set<String> targetKinds() {
        return Set.of("Secret");
    }

    @Override
    public Map<String, Object> parametersSchema() {
        return PatchConfigMapAction.schema("keys to set and their new plain-text values", "Secret");
    }

    @Override
    public Set<String> sensitiveParameters() {
        return Set.of("data");
    }

    @Override
    public Set<Permission> permissions() {
        return ConsumerRoller.permissions(GET, PATCH);
    }

    @Override
    public String enableKey() {
        return "enable_secret_update";
    }

    @Override
    protected String eventReasonPrefix() {
        return "PatchSecret";
    }

    @Override
    protected List<String> check(ActionRequest request, ActionContext context) throws KubeCallException {
        return problems(request, read(request, context));
    }

    private List<String> problems(ActionRequest request, V1Secret s) {
        List<String> problems = PatchConfigMapAction.dataProblems(request, "Secret", s.getImmutable());
        if ("kubernetes.io/service-account-token".equals(s.getType())) {
            problems.add("refused: " + request.target() + " is a service-account token");
        }
        return problems;
    }

    private V1Secret read(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef t = request.target();
        CoreV1Api api = new CoreV1Api(context.apiClient());
        return quiet(() -> kube.call(GET, t.key(), () -> api.readNamespacedSecret(t.name(), t.namespace()).execute()));
    }

    private interface SecretCall<T> {
        T run() throws KubeCallException;
    }

    /** Drops the API's error text, which can echo Secret content, keeping status and permission. */
    private static <T> T quiet(SecretCall<T> call) throws KubeCallException {
        try {
            return call.run();
        } catch (KubeCallException e) {
            throw new KubeCallException(e.kind(), e.status(), e.permission(), e.object(),
                    e.permission() + " on " + e.object() + " failed: HTTP " + e.status(), null);
        }
    }

    private static String encode(String v) {
        return Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8));
    }

    /** The whole data map in its wire form (base64), so it can be written back with one {@code add}. */
    private static Map<String, String> encoded(Map<String, byte[]> data) {
        Map<String, String> out = new TreeMap<>();
        data.forEach((k, v) -> out.put(k, Base64.getEncoder().encodeToString(v == null ? new byte[0] : v)));
        return out;
    }

    private static boolean sameValue(byte[] current, String wanted) {
        return current != null && Arrays.equals(current, wanted.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected ActionResult run(ActionRequest request, ActionContext context) throws KubeCallException {
        ResourceRef target = request.target();
        V1Secret secret = read(request, context);
        List<String> problems = problems(request, secret);
        if (!problems.isEmpty()) return ActionResult.failed(String.join("; ", problems));
        Map<String, byte[]> current = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, String> changes = new TreeMap<>();
        Map<String, Optional<String>> previous = new LinkedHashMap<>();
        PatchConfigMapAction.data(request).forEach((k, v) -> {
            if (sameValue(current.get(k), v)) return;
            changes.put(k, encode(v));
            byte[] old = current.get(k);
            previous.put(k, old == null ? Optional.empty() : Optional.of(Base64.getEncoder().encodeToString(old)));
        });
        if (changes.isEmpty()) return ActionResult.skipped(target + " already has the requested values of its keys");
        Map<String, String> data = encoded(current);
        data.putAll(changes);
        patchSecret(request, context, new JsonPatch().add("/data", data).precondition(secret.getMetadata().getResourceVersion()));
        ConsumerRoller.Rolled rolled = roller.rollIfAsked(request, context, true, id());
        String msg = "set keys " + changes.keySet() + " of " + target + " (values not shown)" + PatchConfigMapAction.describe(rolled);
        if (request.dryRun()) return ActionResult.dryRun("would have " + msg + "; accepted with dryRun=All");
        event(context, request, target, EVENT_NORMAL, "PatchSecret", msg);
        Map<String, Object> undo = new LinkedHashMap<>();
        undo.put("vaultRef", vault.put(previous));
        undo.put("keys", List.copyOf(changes.keySet()));
        undo.put("restarted", rolled.restarted());
        return ActionResult.applied(msg, undo);
    }

    private void patchSecret(ActionRequest request, ActionContext context, JsonPatch patch) throws KubeCallException {
        ResourceRef t = request.target();
        CoreV1Api api = new CoreV1Api(context.apiClient());
        V1Patch body = new V1Patch(patch.toJson());
        quiet(() -> kube.patch(V1Secret.class, PATCH, t.key(), V1Patch.PATCH_FORMAT_JSON_PATCH, context.apiClient(),
                () -> api.patchNamespacedSecret(t.name(), t.namespace(), body).dryRun(dryRun(request)).buildCall(null)));
    }

    @Override
    public ActionResult undo(ActionRequest original, ActionResult.Applied applied, ActionContext context) {
        return undoGuarded(original, applied, context);
    }

    @Override
    protected ActionResult runUndo(ActionRequest original, ActionResult.Applied applied, ActionContext context)
            throws KubeCallException {
        ResourceRef target = original.target();
        String ref = applied.undoState().get("vaultRef") instanceof String s ? s : null;
        Optional<Map<String, Optional<String>>> previous = vault.get(ref);
        if (previous.isEmpty()) {
            return ActionResult.failed("undo of patch-secret on " + target
                    + ": the previous values are no longer held (process restarted or kept too long); restore them by hand");
        }
        V1Secret secret = read(original, context);
        Map<String, byte[]> current = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, String> data = encoded(current);
        for (Map.Entry<String, Optional<String>> e : previous.get().entrySet()) {
            if (e.getValue().isPresent()) data.put(e.getKey(), e.getValue().get());
            else data.remove(e.getKey());
        }
        patchSecret(original, context, new JsonPatch().add("/data", data).precondition(secret.getMetadata().getResourceVersion()));
        ConsumerRoller.Rolled rolled = roller.roll(original, context, true, id() + "-undo");
        String msg = "restored the previous values of keys " + new TreeMap<>(previous.get()).keySet() + " of " + target
                + PatchConfigMapAction.describe(rolled);
        if (original.dryRun()) return ActionResult.dryRun("would have " + msg);
        vault.remove(ref);
        event(context, original, target, EVENT_NORMAL, "PatchSecretUndone", msg);
        return ActionResult.applied(msg, Map.of());
    }
}
