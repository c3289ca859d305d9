package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A one-shot view of the cluster: one list call per kind (per namespace when scoped), for
 * {@code IncidentEngine.scan()}. A kind the client may not list (403) is left out with one warning;
 * other API errors fail the scan.
 */
public final class SnapshotClusterView extends ObjectIndex {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotClusterView.class);

    private final List<String> unavailable;

    private SnapshotClusterView(List<KubernetesObject> objects, List<String> unavailable) {
        super(objects);
        this.unavailable = List.copyOf(unavailable);
    }

    /** Kinds that could not be listed (forbidden), with the reason. */
    public List<String> unavailable() {
        return unavailable;
    }

    public static SnapshotClusterView load(ApiClient client, List<String> namespaces) throws ApiException {
        CoreV1Api core = new CoreV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        List<KubernetesObject> all = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        List<String> scopes = namespaces.isEmpty() ? java.util.Collections.singletonList(null) : namespaces;
        for (String ns : scopes) {
            add(all, unavailable, "pods", () -> ns == null ? core.listPodForAllNamespaces().execute()
                    : core.listNamespacedPod(ns).execute());
            add(all, unavailable, "replicasets", () -> ns == null ? apps.listReplicaSetForAllNamespaces().execute()
                    : apps.listNamespacedReplicaSet(ns).execute());
            add(all, unavailable, "deployments", () -> ns == null ? apps.listDeploymentForAllNamespaces().execute()
                    : apps.listNamespacedDeployment(ns).execute());
            add(all, unavailable, "events", () -> ns == null ? core.listEventForAllNamespaces().execute()
                    : core.listNamespacedEvent(ns).execute());
        }
        add(all, unavailable, "nodes", () -> core.listNode().execute());
        // what the safety policies read: opt-out labels, availability (PDBs), rolling behaviour of other workloads
        add(all, unavailable, "namespaces", () -> core.listNamespace().execute());
        for (String ns : scopes) {
            add(all, unavailable, "statefulsets", () -> ns == null ? apps.listStatefulSetForAllNamespaces().execute()
                    : apps.listNamespacedStatefulSet(ns).execute());
            add(all, unavailable, "daemonsets", () -> ns == null ? apps.listDaemonSetForAllNamespaces().execute()
                    : apps.listNamespacedDaemonSet(ns).execute());
            add(all, unavailable, "poddisruptionbudgets", () -> ns == null
                    ? new PolicyV1Api(client).listPodDisruptionBudgetForAllNamespaces().execute()
                    : new PolicyV1Api(client).listNamespacedPodDisruptionBudget(ns).execute());
        }
        return new SnapshotClusterView(all, unavailable);
    }

    @FunctionalInterface
    private interface Lister {
        KubernetesListObject list() throws ApiException;
    }

    private static void add(List<KubernetesObject> all, List<String> unavailable, String resource, Lister lister)
            throws ApiException {
        try {
            KubernetesListObject list = lister.list();
            if (list != null && list.getItems() != null) all.addAll(list.getItems());
        } catch (ApiException e) {
            if (e.getCode() == 403) {
                LOG.warn("cannot list {} (403 forbidden): incidents of that kind are not detected", resource);
                unavailable.add(resource + ": forbidden");
                return;
            }
            throw e;
        }
    }
}
