package io.kubeincident.testkit.kit;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.AnalysisProvenance;
import io.kubeincident.api.ConfigView;
import io.kubeincident.api.Incident;
import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.IncidentTypes;
import io.kubeincident.api.ProposedAction;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Verdict;
import io.kubeincident.spi.ActionHistory;
import io.kubeincident.spi.ClusterView;
import io.kubeincident.spi.ProviderContext;
import io.kubeincident.spi.SafetyContext;
import io.kubeincident.spi.SafetyPolicy;
import io.kubeincident.spi.SafetyPolicyProvider;
import io.kubeincident.testkit.context.TestContexts;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compatibility kit for {@link SafetyPolicy}s:
 *
 * <pre>{@code
 * class ExcludedNamespacesPolicyCompatibilityTest extends SafetyPolicyCompatibilityKit {
 *     protected SafetyPolicy policy() { return new ExcludedNamespacesPolicy(List.of("kube-system")); }
 *     protected Class<? extends SafetyPolicyProvider> providerClass() { return ExcludedNamespacesPolicyProvider.class; }
 *     protected List<Restricted> mustRestrict() {
 *         ProposedAction a = new ProposedAction("restart-pod", ResourceRef.of("Pod", "kube-system", "dns-1"), Map.of(), 0.9, "");
 *         return List.of(Restricted.deny("a pod in kube-system", a, context(a, false)));
 *     }
 * }
 * }</pre>
 *
 * Checks: a stable kebab-case id; the provider is registered and creates a policy with the same id;
 * every sample and every weird action (unregistered type, cluster-scoped or foreign target, odd
 * parameter values, dry-run context) gets a verdict, never an exception or null; restrictive verdicts
 * carry non-blank reasons; {@code evaluate} is repeatable (side effects belong in {@code onExecuted}),
 * and {@code onExecuted} does not throw; and each case of {@link #mustRestrict()} (an action in a
 * context the subclass shapes: a cluster view with the labelled object, a configuration, a history)
 * gets at least the verdict it names, with a reason, also in dry-run. A policy that never restricts
 * anything fails that last check, and so does a kit subclass that names no case: it is never skipped.
 */
public abstract class SafetyPolicyCompatibilityKit {

    protected abstract SafetyPolicy policy();

    protected abstract Class<? extends SafetyPolicyProvider> providerClass();

    /** Typical actions the policy judges (default: a restart, a scale and a rollback in {@code default}). */
    protected List<ProposedAction> sampleActions() {
        return List.of(
                new ProposedAction(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "default", "web-7d4b9c8f6d-x2k9p"), Map.of(), 0.9, "kit"),
                new ProposedAction(ActionTypes.SCALE, ResourceRef.of("Deployment", "default", "web"), Map.of("replicas", 5), 0.8, "kit"),
                new ProposedAction(ActionTypes.ROLLBACK_DEPLOYMENT, ResourceRef.of("Deployment", "kube-system", "coredns"),
                        Map.of(), 0.7, "kit"));
    }

    /** The context for {@code action} (default: an incident involving its target, its type registered). */
    protected SafetyContext context(ProposedAction action, boolean dryRun) {
        ResourceRef t = action.target();
        ResourceRef root = t.kind().equals("Pod") ? ResourceRef.of("Deployment", t.namespace(), "web") : t;
        return TestContexts.safety().incident(TestContexts.incident(IncidentTypes.CRASH_LOOP, root, t))
                .actions(new ActionDescriptor(action.actionType(), "kit action", Set.of(t.kind()),
                        Map.of("type", "object", "additionalProperties", false)))
                .dryRun(dryRun).build();
    }

    protected ProviderContext providerContext() {
        return TestContexts.provider().build();
    }

    /**
     * A case the policy must restrict: {@code action} judged in {@code context} must get at least
     * {@code expected} (a {@link Verdict.Deny} or a {@link Verdict.RequireApproval}).
     *
     * @param name     what the case is, for the failure message
     * @param action   the planned action
     * @param context  the context it is judged in; the kit also judges it as a dry run
     * @param expected the least restrictive verdict that passes: {@code Deny.class} or {@code RequireApproval.class}
     */
    public record Restricted(String name, ProposedAction action, SafetyContext context, Class<? extends Verdict> expected) {
        public Restricted {
            if (expected == Verdict.Allow.class) throw new IllegalArgumentException("a restricted case cannot expect an allow");
        }

        /** The policy must deny {@code action} in {@code context}. */
        public static Restricted deny(String name, ProposedAction action, SafetyContext context) {
            return new Restricted(name, action, context, Verdict.Deny.class);
        }

        /** The policy must at least ask for approval for {@code action} in {@code context}. */
        public static Restricted approval(String name, ProposedAction action, SafetyContext context) {
            return new Restricted(name, action, context, Verdict.RequireApproval.class);
        }

        int level() {
            return expected == Verdict.Deny.class ? 2 : 1;
        }
    }

    /**
     * The deny (or approval) path: actions in contexts this policy must restrict. Shape the context with
     * {@link TestContexts#safety()}: {@code .cluster(ListClusterView.of(labelledDeployment))},
     * {@code .config(Map.of(...))}, {@code .history(...)}, {@code .clock(...)}. Default: none, and then
     * {@link #restrictsWhatItMustRestrict()} fails, asking for a case: every policy must name at least one
     * (a policy that restricts nothing is not a safety policy).
     */
    protected List<Restricted> mustRestrict() {
        return List.of();
    }

    static final String NO_CASE = "no case to restrict: override mustRestrict() with at least one action, in a context "
            + "you shape (cluster view, configuration, history, clock), that this policy must deny (Restricted.deny) "
            + "or hold for approval (Restricted.approval); a policy that restricts nothing is not a safety policy";

    private List<ProposedAction> weirdActions() {
        List<ProposedAction> out = new ArrayList<>();
        out.add(new ProposedAction("unregistered-action", ResourceRef.of("Pod", "default", "p"), Map.of(), 0.5, ""));
        out.add(new ProposedAction(ActionTypes.CORDON_NODE, ResourceRef.cluster("Node", "node-1"), Map.of(), 1.0, ""));
        out.add(new ProposedAction(ActionTypes.SCALE, ResourceRef.of("Deployment", "default", "web"),
                Map.of("replicas", -1, "extra", List.of(1, 2), "nested", Map.of("a", "b")), 0.0, ""));
        out.add(new ProposedAction(ActionTypes.SCALE, ResourceRef.of("Deployment", "default", "web"),
                Map.of("replicas", "many"), 0.99, "x".repeat(10_000)));
        out.add(new ProposedAction(ActionTypes.RESTART_POD, ResourceRef.of("Pod", "other-namespace", "unrelated"), Map.of(), 0.9, ""));
        out.add(new ProposedAction("custom-thing", ResourceRef.of("Widget", "default", "w"), Map.of("x", Long.MAX_VALUE), 0.3, ""));
        return out;
    }

    @Test
    public void idIsStableKebabCase() {
        KitSupport.assertKebabAndStable(policy().id(), policy().id(), "SafetyPolicy");
    }

    @Test
    public void discoverableThroughServiceLoader() {
        SafetyPolicyProvider p = KitSupport.loadProvider(SafetyPolicyProvider.class, providerClass());
        SafetyPolicy created = p.create(providerContext());
        assertNotNull(created, providerClass().getName() + ".create returned null");
        assertEquals(policy().id(), created.id(), "the provider must create a policy with the same id");
    }

    @Test
    public void everyActionGetsAVerdictWithReasonsWhenRestrictive() {
        SafetyPolicy p = policy();
        List<ProposedAction> all = new ArrayList<>(sampleActions());
        all.addAll(weirdActions());
        for (ProposedAction a : all) {
            for (boolean dry : new boolean[]{false, true}) {
                SafetyContext ctx = context(a, dry);
                // The unregistered type must also be judged in a context that does not know it.
                if (a.actionType().equals("unregistered-action")) {
                    ctx = TestContexts.safety().incident(ctx.incident()).dryRun(dry).build();
                }
                Verdict v = evaluate(p, a, ctx);
                if (!(v instanceof Verdict.Allow)) {
                    assertFalse(v.reasons().isEmpty(), "a restrictive verdict must say why: " + a);
                    for (String r : v.reasons()) {
                        assertFalse(r == null || r.isBlank(), "a restrictive verdict has a blank reason for " + a);
                    }
                }
            }
        }
    }

    @Test
    public void evaluateIsRepeatable() {
        SafetyPolicy p = policy();
        for (ProposedAction a : sampleActions()) {
            SafetyContext ctx = context(a, false);
            Verdict first = evaluate(p, a, ctx);
            Verdict second = evaluate(p, a, ctx);
            assertEquals(first.restrictiveness(), second.restrictiveness(),
                    "evaluate must not change its own answer (count in onExecuted): " + a);
        }
    }

    @Test
    public void restrictsWhatItMustRestrict() {
        List<Restricted> cases = mustRestrict();
        if (cases == null || cases.isEmpty()) {
            fail(NO_CASE);
        }
        SafetyPolicy p = policy();
        for (Restricted c : cases) {
            for (boolean dry : new boolean[]{false, true}) {
                SafetyContext ctx = dry ? asDryRun(c.context()) : c.context();
                Verdict v = evaluate(p, c.action(), ctx);
                assertTrue(v.restrictiveness() >= c.level(), "'" + c.name() + "'" + (dry ? " (dry run)" : "")
                        + ": expected " + c.expected().getSimpleName() + " for " + c.action().actionType() + " on "
                        + c.action().target() + ", got " + v);
                assertFalse(v.reasons().isEmpty() || v.reasons().stream().anyMatch(r -> r == null || r.isBlank()),
                        "'" + c.name() + "': a restrictive verdict must say why");
            }
        }
    }

    /** {@code c} as a dry run: a policy that restricts an action restricts its dry run too. */
    private static SafetyContext asDryRun(SafetyContext c) {
        if (c.dryRun()) return c;
        return new SafetyContext() {
            public Incident incident() { return c.incident(); }
            public Optional<ActionDescriptor> action(String actionType) { return c.action(actionType); }
            public boolean dryRun() { return true; }
            public ClusterView cluster() { return c.cluster(); }
            public ConfigView config() { return c.config(); }
            public Clock clock() { return c.clock(); }
            public ActionHistory history() { return c.history(); }
            public List<ResourceRef> ownerChain(ResourceRef ref) { return c.ownerChain(ref); }
            public Optional<AnalysisProvenance> provenance() { return c.provenance(); }
        };
    }

    @Test
    public void onExecutedDoesNotThrow() {
        SafetyPolicy p = policy();
        for (ProposedAction a : sampleActions()) {
            try {
                p.onExecuted(a, context(a, false));
            } catch (RuntimeException e) {
                fail("onExecuted threw for " + a + ": " + e, e);
            }
        }
    }

    private static Verdict evaluate(SafetyPolicy p, ProposedAction a, SafetyContext ctx) {
        Verdict v;
        try {
            v = p.evaluate(a, ctx);
        } catch (RuntimeException e) {
            return fail("evaluate threw for " + a.actionType() + " on " + a.target() + ": " + e, e);
        }
        assertNotNull(v, "evaluate returned null for " + a.actionType() + " on " + a.target());
        return v;
    }
}
