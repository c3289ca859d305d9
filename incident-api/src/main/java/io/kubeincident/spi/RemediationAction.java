package io.kubeincident.spi;

import io.kubeincident.api.ActionDescriptor;
import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.ActionResult;
import io.kubeincident.api.Permission;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One typed remediation: restart a pod, scale a workload, roll a Deployment back.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #id()} is stable and kebab-case; {@link #parametersSchema()} is a JSON Schema object
 *       (nested maps) with {@code additionalProperties: false}; the engine validates every request
 *       against it before the safety chain, and analyzers are told it.</li>
 *   <li>{@link #execute} is only called after the safety chain allowed the request. It returns its
 *       outcome as a value and never throws for expected failures (404, 409, 403, 429, timeouts).
 *       With {@code request.dryRun()} it changes nothing: an action that implements
 *       {@link SupportsDryRun} checks the change with server-side dry-run, others are never called in
 *       dry-run.</li>
 *   <li>It is idempotent: running it twice for the same request leaves the same state.</li>
 *   <li>It touches only {@code request.target()} (and, for actions that say so, the objects that
 *       target owns, e.g. pods of a drained node).</li>
 *   <li>Thread-safe; the engine never runs two actions on the same target at once.</li>
 * </ul>
 */
public interface RemediationAction {

    String id();

    /** One line, for analyzers and humans. */
    String description();

    /** Kinds it accepts as target. */
    Set<String> targetKinds();

    /** JSON Schema of its parameters; the default accepts no parameters. */
    default Map<String, Object> parametersSchema() {
        return Map.of("type", "object", "properties", Map.of(), "additionalProperties", false);
    }

    /** RBAC permissions it needs, so a deployment's ClusterRole can be derived and checked. */
    default Set<Permission> permissions() {
        return Set.of();
    }

    /**
     * The switch that turns this action on and off: the configuration key under {@code remediation.}
     * without that prefix, {@code enable_} and snake_case, e.g. {@code enable_pod_restart} for the key
     * {@code remediation.enable_pod_restart}. Several actions may share one switch. {@code null} (the
     * default): the switch is {@code enable_<id>} with dashes as underscores. The built-in actions have
     * documented defaults; any other action found on the class path is off until its switch is set to
     * {@code true}, so a jar cannot make its action run by being there. A value that is not a boolean denies
     * the action. (A value written with the {@code remediation.} prefix is accepted as the same key.)
     */
    default String enableKey() {
        return null;
    }

    /**
     * Checks the request against the live object before execution (bounds, preconditions such as
     * "the pod has a controller"); returns the problems, empty when fine. Must not change anything.
     */
    default List<String> validate(ActionRequest request, ActionContext context) {
        return List.of();
    }

    ActionResult execute(ActionRequest request, ActionContext context);

    default ActionDescriptor descriptor() {
        return new ActionDescriptor(id(), description(), targetKinds(), parametersSchema());
    }
}
