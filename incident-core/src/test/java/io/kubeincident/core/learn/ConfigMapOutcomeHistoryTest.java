package io.kubeincident.core.learn;

import io.kubeincident.api.ActionTypes;
import io.kubeincident.api.OutcomeRecord;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ConfigMap outcome store on the loopback API server: shared across instances, bounded, 409 re-read. */
class ConfigMapOutcomeHistoryTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension().resetBetweenTests();

    private static final ResourceRef WEB = ResourceRef.of("Deployment", "default", "web");

    private static OutcomeRecord rec(OutcomeRecord.Outcome o, int minute) {
        return new OutcomeRecord("crash-loop", "app-crash", ActionTypes.RESTART_POD, WEB, o,
                Instant.parse("2026-01-20T10:00:00Z").plusSeconds(60L * minute));
    }

    private void namespace() throws ApiException {
        new CoreV1Api(kube.apiClient()).createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("ops"))).execute();
    }

    @Test
    void anotherReplicaReadsWhatOneWroteAndTheStoreStaysBounded() throws ApiException {
        namespace();
        ConfigMapOutcomeHistory a = new ConfigMapOutcomeHistory(kube.apiClient(), "ops", "kube-incident-outcomes", 3);
        for (int i = 0; i < 5; i++) a.record(rec(i % 2 == 0 ? OutcomeRecord.Outcome.NOT_IMPROVED : OutcomeRecord.Outcome.RESOLVED, i));
        ConfigMapOutcomeHistory b = new ConfigMapOutcomeHistory(kube.apiClient(), "ops", "kube-incident-outcomes", 3);
        assertEquals(3, b.forResource(WEB).size(), "only the newest 3 are stored");
        assertEquals(OutcomeRecord.Outcome.NOT_IMPROVED, b.forResource(WEB).get(0).outcome(), "newest first");
        String stored = new CoreV1Api(kube.apiClient()).readNamespacedConfigMap("kube-incident-outcomes", "ops").execute()
                .getData().get(ConfigMapOutcomeHistory.KEY);
        assertEquals(3, stored.lines().count());
    }

    @Test
    void aConflictingWriteIsReReadAndAppended() throws ApiException {
        namespace();
        AtomicInteger conflicts = new AtomicInteger(1);
        ApiClient base = kube.apiClient();
        ApiClient racing = new ApiClient(base.getHttpClient().newBuilder().addInterceptor(chain -> {
            if (chain.request().method().equals("PUT") && conflicts.getAndDecrement() > 0) {
                return new Response.Builder().request(chain.request()).protocol(Protocol.HTTP_1_1).code(409).message("Conflict")
                        .body(ResponseBody.create("{\"kind\":\"Status\",\"code\":409,\"reason\":\"Conflict\"}",
                                MediaType.get("application/json"))).build();
            }
            return chain.proceed(chain.request());
        }).build());
        racing.setBasePath(base.getBasePath());
        ConfigMapOutcomeHistory h = new ConfigMapOutcomeHistory(racing, "ops", "outcomes", 100);
        h.record(rec(OutcomeRecord.Outcome.RESOLVED, 1));   // creates
        h.record(rec(OutcomeRecord.Outcome.WORSE, 2));      // first replace answers 409, the retry succeeds
        ConfigMapOutcomeHistory fresh = new ConfigMapOutcomeHistory(base, "ops", "outcomes", 100);
        assertEquals(2, fresh.forResource(WEB).size());
        assertTrue(conflicts.get() < 0, "the conflict was hit");
    }

    @Test
    void anUnreachableStoreKeepsLearningInMemory() {
        ConfigMapOutcomeHistory h = new ConfigMapOutcomeHistory(kube.apiClient(), "no-such-namespace", "outcomes", 10);
        h.record(rec(OutcomeRecord.Outcome.RESOLVED, 1));
        assertEquals(1, h.forResource(WEB).size());
    }
}
