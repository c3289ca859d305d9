package io.kubeincident.testkit.kit;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionContext;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.RemediationAction;
import io.kubeincident.spi.RemediationActionProvider;
import io.kubeincident.spi.SupportsDryRun;
import io.kubeincident.testkit.context.ListClusterView;
import io.kubeincident.testkit.context.TestContexts;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compatibility kit for {@link RemediationAction}s, run against the loopback API server:
 *
 * <pre>{@code
 * class RestartPodActionCompatibilityTest extends RemediationActionCompatibilityKit {
 *     protected RemediationAction action() { return new RestartPodAction(); }
 *     protected Class<? extends RemediationActionProvider> providerClass() { return RestartPodActionProvider.class; }
 *     protected ActionRequest prepare(ApiClient client) throws Exception {
 *         Workload w = DeploymentBuilder.deployment("default", "web").replicas(1).create(client);
 *         return request(TestContexts.ref(w.pods().get(0)), Map.of());
 *     }
 * }
 * }</pre>
 *
 * Checks: stable kebab-case id, description, target kinds; parameters schema is a closed JSON
 * object schema ({@code additionalProperties: false}); the provider is registered and creates an
 * action with the same id; with {@link SupportsDryRun}, a dry run changes nothing on the server;
 * {@code validate} changes nothing; a missing target yields Skipped or Failed, never an exception;
 * executing twice leaves the same state and the second run is no failure.
 */
public abstract class RemediationActionCompatibilityKit {

    @RegisterExtension
    protected static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    /** The action under test, built by hand. */
    protected abstract RemediationAction action();

    /** Its ServiceLoader provider class. */
    protected abstract Class<? extends RemediationActionProvider> providerClass();

    /**
     * Creates on the (empty) server the objects the action works on and returns a valid request
     * (not a dry run). Use {@link #request} to build it.
     */
    protected abstract ActionRequest prepare(ApiClient client) throws Exception;

    /** A request for a target that does not exist (default: the prepared one with another name). */
    protected ActionRequest missingTarget(ActionRequest valid) {
        ResourceRef t = valid.target();
        return new ActionRequest(valid.incidentId(), valid.actionType(),
                new ResourceRef(t.kind(), t.namespace(), "kit-missing-" + t.name(), null), valid.parameters(),
                valid.confidence(), valid.dryRun());
    }

    /** The context the action runs with (default: the server's client, a snapshot view, an incident on the target). */
    protected ActionContext context(ApiClient client, ActionRequest request) {
        return TestContexts.action().apiClient(client).cluster(ListClusterView.snapshot(client))
                .incident(TestContexts.incident("kit-incident", request.target())).build();
    }

    protected ProviderContext providerContext(ApiClient client) {
        return TestContexts.provider().apiClient(client).build();
    }

    /** A request of this action on {@code target}. */
    protected ActionRequest request(ResourceRef target, Map<String, Object> parameters) {
        return new ActionRequest("inc-kit", action().id(), target, parameters, 0.9, false);
    }

    @Test
    public void idIsStableKebabCase() {
        KitSupport.assertKebabAndStable(action().id(), action().id(), "RemediationAction");
        assertNotNull(action().description(), "description() must not be null");
        assertFalse(action().description().isBlank(), "description() must say what it does");
        assertNotNull(action().targetKinds(), "targetKinds() must not be null");
        assertFalse(action().targetKinds().isEmpty(), "targetKinds() must name at least one kind");
        assertEquals(action().id(), action().descriptor().id(), "descriptor() must carry the id");
    }

    @Test
    public void parametersSchemaIsAClosedObjectSchema() {
        Map<String, Object> schema = action().parametersSchema();
        assertNotNull(schema, "parametersSchema() must not be null");
        assertEquals("object", schema.get("type"), "the parameters schema must be {type: object}");
        assertEquals(Boolean.FALSE, schema.get("additionalProperties"), "the parameters schema must set additionalProperties: false");
        Object props = schema.getOrDefault("properties", Map.of());
        assertInstanceOf(Map.class, props, "properties must be an object");
        Map<?, ?> properties = (Map<?, ?>) props;
        for (Map.Entry<?, ?> e : properties.entrySet()) {
            assertInstanceOf(Map.class, e.getValue(), "property " + e.getKey() + " must be a schema object");
            Map<?, ?> p = (Map<?, ?>) e.getValue();
            assertTrue(p.containsKey("type") || p.containsKey("enum") || p.containsKey("const"),
                    "property " + e.getKey() + " needs a type, enum or const");
        }
        Object required = schema.get("required");
        if (required != null) {
            assertInstanceOf(List.class, required, "required must be a list");
            for (Object r : (List<?>) required) {
                assertTrue(properties.containsKey(r), "required parameter " + r + " is not among the properties");
            }
        }
    }

    @Test
    public void discoverableThroughServiceLoader(ApiClient client) {
        RemediationActionProvider p = KitSupport.loadProvider(RemediationActionProvider.class, providerClass());
        RemediationAction created = p.create(providerContext(client));
        assertNotNull(created, providerClass().getName() + ".create returned null");
        assertEquals(action().id(), created.id(), "the provider must create an action with the same id");
    }

    @Test
    public void dryRunChangesNothing(ApiClient client) throws Exception {
        RemediationAction a = action();
        Assumptions.assumeTrue(a instanceof SupportsDryRun, a.id() + " does not support dry-run: the engine never dry-runs it");
        ActionRequest req = prepare(client).asDryRun();
        Map<String, String> before = KitSupport.serverState(client, false);
        ActionResult r = execute(a, req, context(client, req));
        assertFalse(r instanceof ActionResult.Applied, "a dry run must not report Applied: " + r);
        KitSupport.assertUnchanged(before, KitSupport.serverState(client, false), "a dry run changed the server");
    }

    @Test
    public void validateChangesNothing(ApiClient client) throws Exception {
        RemediationAction a = action();
        ActionRequest req = prepare(client);
        Map<String, String> before = KitSupport.serverState(client, false);
        List<String> problems;
        try {
            problems = a.validate(req, context(client, req));
        } catch (RuntimeException e) {
            throw new AssertionError("validate threw: " + e, e);
        }
        assertNotNull(problems, "validate must return a list, not null");
        assertTrue(problems.isEmpty(), "the prepared request must be valid, but: " + problems);
        KitSupport.assertUnchanged(before, KitSupport.serverState(client, false), "validate changed the server");
    }

    @Test
    public void missingTargetIsSkippedOrFailedNotThrown(ApiClient client) throws Exception {
        RemediationAction a = action();
        ActionRequest req = missingTarget(prepare(client));
        ActionResult r = execute(a, req, context(client, req));
        assertTrue(r instanceof ActionResult.Skipped || r instanceof ActionResult.Failed,
                "a missing target must give Skipped or Failed, was: " + r);
    }

    @Test
    public void executingTwiceIsIdempotent(ApiClient client) throws Exception {
        RemediationAction a = action();
        ActionRequest req = prepare(client);
        ActionResult first = execute(a, req, context(client, req));
        assertTrue(first instanceof ActionResult.Applied || first instanceof ActionResult.Skipped,
                "the prepared request must apply, was: " + first);
        Map<String, String> afterFirst = KitSupport.serverState(client, true);
        ActionResult second = execute(a, req, context(client, req));
        assertFalse(second instanceof ActionResult.Failed, "running it again must not fail: " + second);
        KitSupport.assertUnchanged(afterFirst, KitSupport.serverState(client, true), "running it twice changed the state again");
    }

    private static ActionResult execute(RemediationAction a, ActionRequest req, ActionContext ctx) {
        ActionResult r;
        try {
            r = a.execute(req, ctx);
        } catch (RuntimeException e) {
            return fail("execute threw instead of returning an outcome: " + e, e);
        }
        assertNotNull(r, "execute must return an outcome, not null");
        return r;
    }
}
