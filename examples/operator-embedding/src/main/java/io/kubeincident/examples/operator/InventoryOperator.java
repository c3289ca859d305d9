package io.kubeincident.examples.operator;

import io.kubeincident.core.IncidentEngine;
import io.kubernetes.client.extended.controller.Controller;
import io.kubernetes.client.extended.controller.builder.ControllerBuilder;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.ClientBuilder;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An existing client-java operator (a Deployment inventory controller on a {@link SharedInformerFactory})
 * with the incident engine embedded: the engine is built next to the controller, uses the operator's
 * client and shares its informer factory, so the Pods and Deployments the operator already watches are
 * not watched twice; the engine reacts to their events (no polling).
 */
public final class InventoryOperator implements AutoCloseable {
    private final SharedInformerFactory factory;
    private final Controller controller;
    private final DeploymentInventory inventory;
    private final IncidentEngine engine;
    private final ExecutorService controllerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "inventory-controller");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param client         for API calls (finite timeouts)
     * @param informerClient for watches (read timeout 0)
     * @param engineConfig   the engine's configuration keys
     */
    public InventoryOperator(ApiClient client, ApiClient informerClient, Map<String, String> engineConfig) {
        // --- the operator as it was ---
        factory = new SharedInformerFactory(informerClient);
        CoreV1Api core = new CoreV1Api(informerClient);
        AppsV1Api apps = new AppsV1Api(informerClient);
        SharedIndexInformer<V1Pod> pods = factory.sharedIndexInformerFor(
                p -> core.listPodForAllNamespaces().resourceVersion(p.resourceVersion).watch(p.watch)
                        .timeoutSeconds(p.timeoutSeconds).buildCall(null), V1Pod.class, V1PodList.class);
        SharedIndexInformer<V1Deployment> deployments = factory.sharedIndexInformerFor(
                p -> apps.listDeploymentForAllNamespaces().resourceVersion(p.resourceVersion).watch(p.watch)
                        .timeoutSeconds(p.timeoutSeconds).buildCall(null), V1Deployment.class, V1DeploymentList.class);
        inventory = new DeploymentInventory(new Lister<>(deployments.getIndexer()));
        controller = ControllerBuilder.defaultBuilder(factory)
                .watch(q -> ControllerBuilder.controllerWatchBuilder(V1Deployment.class, q).build())
                .withReconciler(inventory)
                .withReadyFunc(deployments::hasSynced)
                .withName("deployment-inventory")
                .withWorkerCount(1)
                .build();

        // --- the incident engine, embedded: built next to the controller, sharing its informer factory ---
        engine = IncidentEngine.builder()
                .apiClient(client)                 // the operator's own client
                .informerFactory(factory)          // pods and deployments are watched once, for both
                .config(engineConfig)
                .build();
    }

    public void start() {
        factory.startAllRegisteredInformers();
        controllerThread.submit(controller::run);
        engine.start();  // registers the kinds the operator does not watch yet in the same factory
    }

    public DeploymentInventory inventory() {
        return inventory;
    }

    public IncidentEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
        controller.shutdown();
        controllerThread.shutdownNow();
        factory.stopAllRegisteredInformers();
    }

    /** Runs against the current kubeconfig context until stopped; dry-run so that trying it changes nothing. */
    public static void main(String[] args) throws Exception {
        ApiClient client = ClientBuilder.standard().build();
        ApiClient informerClient = ClientBuilder.standard().setReadTimeout(Duration.ZERO).build();
        try (InventoryOperator operator = new InventoryOperator(client, informerClient,
                Map.of("remediation.mode", "dry-run"))) {
            operator.start();
            Thread.currentThread().join();
        }
    }
}
