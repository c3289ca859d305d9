package io.kubeincident.examples.operator;

import io.kubernetes.client.extended.controller.reconciler.Reconciler;
import io.kubernetes.client.extended.controller.reconciler.Request;
import io.kubernetes.client.extended.controller.reconciler.Result;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.models.V1Deployment;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands for the host operator's own reconcile logic: it keeps an inventory of Deployments and their
 * ready replicas from the shared informer's cache. The incident engine is added next to it, not into it.
 */
public final class DeploymentInventory implements Reconciler {
    private final Lister<V1Deployment> deployments;
    private final Map<String, Integer> readyReplicas = new ConcurrentHashMap<>();

    public DeploymentInventory(Lister<V1Deployment> deployments) {
        this.deployments = deployments;
    }

    @Override
    public Result reconcile(Request request) {
        String key = request.getNamespace() + "/" + request.getName();
        V1Deployment d = deployments.namespace(request.getNamespace()).get(request.getName());
        if (d == null) {
            readyReplicas.remove(key);
        } else {
            Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
            readyReplicas.put(key, ready == null ? 0 : ready);
        }
        return new Result(false);
    }

    /** namespace/name → ready replicas. */
    public Map<String, Integer> snapshot() {
        return Map.copyOf(readyReplicas);
    }
}
