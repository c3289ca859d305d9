package io.kubeincident.core.monitor;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A one-shot view of the cluster for {@code IncidentEngine.scan()} and sweeps without informers: one list
 * call per {@link WatchedKind} (per namespace when scoped; cluster-scoped kinds once), held in the same
 * indexed caches the informers fill. A kind the client may not list (403) or the server does not serve (404)
 * is left out with one warning and reported {@linkplain #available unavailable}; other API errors fail the
 * scan.
 */
public final class SnapshotClusterView extends ObjectIndex {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotClusterView.class);

    private final List<String> unavailable;

    private SnapshotClusterView(List<KubernetesObject> objects, List<String> unavailable, Set<Class<?>> unavailableTypes) {
        super(objects, unavailableTypes);
        this.unavailable = List.copyOf(unavailable);
    }

    /** Kinds that could not be listed, with the reason ({@code "pods: forbidden"}). */
    public List<String> unavailable() {
        return unavailable;
    }

    public static SnapshotClusterView load(ApiClient client, List<String> namespaces) throws ApiException {
        return load(client, namespaces, EnumSet.allOf(WatchedKind.class));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static SnapshotClusterView load(ApiClient client, List<String> namespaces, Set<WatchedKind> kinds)
            throws ApiException {
        List<KubernetesObject> all = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        Set<Class<?>> unavailableTypes = new HashSet<>();
        List<String> scopes = namespaces.isEmpty() ? java.util.Collections.singletonList(null) : namespaces;
        for (WatchedKind kind : kinds) {
            GenericKubernetesApi api = new GenericKubernetesApi(kind.type(), kind.listType(), kind.group(), kind.version(),
                    kind.plural(), client);
            for (String ns : kind.namespaced() ? scopes : java.util.Collections.<String>singletonList(null)) {
                KubernetesApiResponse<? extends KubernetesListObject> r;
                try {
                    r = ns == null ? api.list() : api.list(ns);
                } catch (RuntimeException e) {
                    // client-java reports a failed connection as an unchecked exception around the IOException
                    if (e.getCause() instanceof IOException io) throw new ApiException(io);
                    throw e;
                }
                if (r.isSuccess()) {
                    if (r.getObject() != null && r.getObject().getItems() != null) all.addAll(r.getObject().getItems());
                    continue;
                }
                int code = r.getHttpStatusCode();
                String message = r.getStatus() == null ? null : r.getStatus().getMessage();
                if (code == 403 || code == 404) {
                    String reason = code == 403 ? "forbidden" : "not served";
                    LOG.warn("cannot list {} ({} {}): incidents that need {} are not detected", kind.plural(), code, reason, kind.kind());
                    unavailable.add(kind.plural() + ": " + reason);
                    unavailableTypes.add(kind.type());
                    break;
                }
                throw new ApiException(code, "listing " + kind.plural() + (ns == null ? "" : " in " + ns) + " failed: " + message);
            }
        }
        return new SnapshotClusterView(all, unavailable, unavailableTypes);
    }
}
