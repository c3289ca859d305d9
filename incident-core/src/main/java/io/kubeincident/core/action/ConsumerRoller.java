package io.kubeincident.core.action;

import io.kubeincident.api.ActionRequest;
import io.kubeincident.api.Incident;
import io.kubeincident.api.Permission;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.spi.ActionContext;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the workloads whose pods read a ConfigMap or Secret and restarts the ones that belong to the
 * incident: a workload outside the incident is reported, never touched (the blast radius holds here too).
 */
final class ConsumerRoller {

    /** What {@link #roll} did. */
    record Rolled(List<String> restarted, List<String> untouched) {
    }

    private final KubeApi kube;
    private final WorkloadPatcher patcher;

    ConsumerRoller(KubeApi kube) {
        this.kube = kube;
        this.patcher = new WorkloadPatcher(kube);
    }

    /** {@code own} (what the action needs on the ConfigMap or Secret) plus what rolling its readers needs. */
    static Set<Permission> permissions(Permission... own) {
        Set<Permission> p = new HashSet<>(Set.of(own));
        p.addAll(WorkloadPatcher.permissions("list"));
        p.addAll(WorkloadPatcher.getAndPatch());
        return p;
    }

    List<KubernetesObject> consumers(ApiClient client, String namespace, String name, boolean secret) throws KubeCallException {
        AppsV1Api api = new AppsV1Api(client);
        String where = "in " + namespace;
        List<KubernetesObject> all = new ArrayList<>();
        all.addAll(kube.call(WorkloadPatcher.permission("Deployment", "list"), "Deployments " + where,
                () -> api.listNamespacedDeployment(namespace).execute()).getItems());
        all.addAll(kube.call(WorkloadPatcher.permission("StatefulSet", "list"), "StatefulSets " + where,
                () -> api.listNamespacedStatefulSet(namespace).execute()).getItems());
        all.addAll(kube.call(WorkloadPatcher.permission("DaemonSet", "list"), "DaemonSets " + where,
                () -> api.listNamespacedDaemonSet(namespace).execute()).getItems());
        List<KubernetesObject> out = new ArrayList<>();
        for (KubernetesObject o : all) {
            boolean refers = Workloads.podTemplate(o)
                    .map(t -> Workloads.referencedConfig(t.getSpec(), secret).contains(name)).orElse(false);
            if (refers) out.add(o);
        }
        return out;
    }

    /**
     * Restarts the incident's readers of the request's target unless the request sets {@code rollConsumers}
     * to false; {@code step} names the run in the restart marker.
     */
    Rolled rollIfAsked(ActionRequest request, ActionContext context, boolean secret, String step) throws KubeCallException {
        return request.booleanParam("rollConsumers", true)
                ? roll(request, context, secret, step)
                : new Rolled(List.of(), List.of());
    }

    /** Restarts the incident's readers of the request's target; {@code step} names the run in the restart marker. */
    Rolled roll(ActionRequest request, ActionContext context, boolean secret, String step) throws KubeCallException {
        ResourceRef target = request.target();
        return roll(context.apiClient(), context.incident(), target.namespace(), target.name(), secret,
                request.incidentId() + "/" + step + "/" + target.name(), context.clock().instant(),
                KubeAction.dryRun(request));
    }

    Rolled roll(ApiClient client, Incident incident, String namespace, String name, boolean secret, String marker,
                Instant now, String dryRun) throws KubeCallException {
        List<String> restarted = new ArrayList<>();
        List<String> untouched = new ArrayList<>();
        for (KubernetesObject o : consumers(client, namespace, name, secret)) {
            ResourceRef ref = Workloads.ref(o);
            if (!incident.involves(ref)) {
                untouched.add(ref.key());
                continue;
            }
            try {
                patcher.restart(client, ref, marker, now, dryRun);
                restarted.add(ref.key());
            } catch (KubeCallException e) {
                if (!e.is(KubeCallException.Kind.NOT_FOUND)) throw e;
            }
        }
        return new Rolled(restarted, untouched);
    }
}
