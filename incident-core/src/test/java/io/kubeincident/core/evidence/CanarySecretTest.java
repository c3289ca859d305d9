package io.kubeincident.core.evidence;

import io.kubeincident.api.AnalysisRequest;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Incident;
import io.kubeincident.core.correlate.IncidentEvent;
import io.kubeincident.core.detect.CrashLoopDetector;
import io.kubeincident.core.detect.DetectorSet;
import io.kubeincident.core.fixtures.ClusterSeed;
import io.kubeincident.core.monitor.ClusterMonitor;
import io.kubeincident.core.monitor.DetectionLoop;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Canary secrets planted where secrets really leak from (logs, events, env, termination messages, a Secret
 * object, ConfigMap data) must not reach an analyzer: the analysis request holds none of them, and the
 * Secret is never even requested from the API server.
 */
class CanarySecretTest {

    @RegisterExtension
    static final KubeServerExtension kube = new KubeServerExtension();

    static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOiJKV1QifQ.Q0FOQVJZLUpXVC1TSUc";
    static final List<String> CANARIES = List.of("CANARY-ENV-8c1f", "CANARY-TERM-77aa", "CANARY-EVENT-31bd",
            "CANARYBEARER0123456789", "CANARY-URL-5521", "AKIACANARY0AWS000001", JWT, "CANARYPEMBODY0000",
            "CANARY-SECRET-OBJECT", "CANARY-CM-DATA", "CANARY-JSON-9f0e");

    @Test
    void noCanaryReachesTheAnalyzerAndNoSecretIsRead() throws Exception {
        ApiClient client = kube.apiClient();
        List<String> requests = new CopyOnWriteArrayList<>();
        client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(chain -> {
            requests.add(chain.request().method() + " " + chain.request().url().encodedPath());
            return chain.proceed(chain.request());
        }).build());
        ClusterSeed seed = new ClusterSeed(kube.apiClient());
        CoreV1Api core = seed.core();
        seed.namespace("shop");
        core.createNamespacedSecret("shop", new V1Secret().metadata(new V1ObjectMeta().name("db").namespace("shop"))
                .putStringDataItem("password", "CANARY-SECRET-OBJECT")).execute();
        core.createNamespacedConfigMap("shop", new V1ConfigMap().metadata(new V1ObjectMeta().name("web-config").namespace("shop"))
                .putDataItem("token", "CANARY-CM-DATA")).execute();
        V1Pod pod = seed.deployment("shop", "web", 1, "web:1").get(0);
        // env: a literal secret value and a Secret reference, as people do write them
        V1Deployment d = seed.apps().readNamespacedDeployment("web", "shop").execute();
        d.getSpec().getTemplate().getSpec().getContainers().get(0)
                .addEnvItem(new V1EnvVar().name("DB_PASSWORD").value("CANARY-ENV-8c1f"))
                .addEnvItem(new V1EnvVar().name("DB_PASSWORD_REF").valueFrom(new V1EnvVarSource()
                        .secretKeyRef(new V1SecretKeySelector().name("db").key("password"))))
                .addEnvFromItem(new V1EnvFromSource().configMapRef(new V1ConfigMapEnvSource().name("web-config")));
        seed.apps().replaceNamespacedDeployment("web", "shop", d).execute();
        String podName = pod.getMetadata().getName();
        kube.server().expectPodLog("shop", podName, "app", true, String.join("\n",
                "boot with DB_PASSWORD=CANARY-ENV-8c1f",
                "GET /orders Authorization: Bearer CANARYBEARER0123456789",
                "dial postgres://app:CANARY-URL-5521@db:5432/orders: refused",
                "aws: using AKIACANARY0AWS000001",
                "session " + JWT,
                "{\"level\":\"debug\",\"apiKey\":\"CANARY-JSON-9f0e\"}",
                "-----BEGIN PRIVATE KEY-----",
                "CANARYPEMBODY0000",
                "-----END PRIVATE KEY-----",
                "panic: cannot connect"));
        kube.server().expectPodLog("shop", podName, "app", false, "retrying with password=CANARY-ENV-8c1f\n");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        core.createNamespacedEvent("shop", new CoreV1Event().metadata(new V1ObjectMeta().name(podName + ".1").namespace("shop"))
                .involvedObject(new V1ObjectReference().kind("Pod").namespace("shop").name(podName).uid(pod.getMetadata().getUid()))
                .type("Warning").reason("Failed").count(3).firstTimestamp(now.minusMinutes(3)).lastTimestamp(now)
                .message("Failed to pull image \"private/web:1\": unauthorized: token=CANARY-EVENT-31bd")
                .source(new V1EventSource().component("kubelet"))).execute();
        V1PodStatus status = ClusterSeed.crashLooping(6);
        status.getContainerStatuses().get(0).getLastState().getTerminated()
                .message("fatal: login failed, password=CANARY-TERM-77aa");

        List<Incident> opened = new CopyOnWriteArrayList<>();
        ClusterMonitor monitor = ClusterMonitor.builder().apiClient(kube.apiClient()).build();
        try (DetectionLoop loop = DetectionLoop.builder(monitor, new DetectorSet(List.of(new CrashLoopDetector()), null))
                .onEvent(e -> {
                    if (e instanceof IncidentEvent.Opened o) opened.add(o.incident());
                }).build()) {
            loop.start();
            assertTrue(monitor.awaitReady(Duration.ofSeconds(15)));
            Await.until(Duration.ofSeconds(15), () -> monitor.view().eventsFor(
                    io.kubeincident.api.ResourceRef.of("Pod", "shop", podName)).size() == 1, "event cached");
            seed.setStatus(pod, status);
            Await.until(Duration.ofSeconds(15), () -> !opened.isEmpty(), "incident opened");

            Evidence evidence = new EvidenceGatherer(client, Clock.systemUTC()).gather(opened.get(0), monitor.view()).evidence();
            AnalysisRequest request = new AnalysisRequest(opened.get(0), evidence, List.of());
            String everything = request.toString();

            // The evidence is there, only masked.
            assertFalse(evidence.logs().isEmpty(), "logs were gathered");
            assertTrue(evidence.events().stream().anyMatch(ev -> ev.reason().equals("Failed")), "event was gathered");
            assertTrue(everything.contains("[REDACTED"), "something was masked");
            assertTrue(everything.contains("panic: cannot connect"), "ordinary lines kept");
            for (String canary : CANARIES) {
                assertFalse(everything.contains(canary), () -> "canary leaked: " + canary + " in " + everything);
            }
            assertTrue(requests.stream().noneMatch(r -> r.contains("/secrets")), requests.toString());
        }
    }
}
