package io.kubeincident.responder;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;

import java.util.List;

/** {@link Fixtures} for tests in sub-packages. */
public final class FixturesAccess {
    private FixturesAccess() {
    }

    public static String crashLoopingDeployment(ApiClient client, String ns, String name) throws ApiException {
        return Fixtures.crashLoopingDeployment(client, ns, name);
    }

    public static List<String> podNames(ApiClient client, String ns) throws ApiException {
        return Fixtures.podNames(client, ns);
    }
}
