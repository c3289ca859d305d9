package io.kubeincident.testkit.server;

import io.kubernetes.client.openapi.apis.CoreV1Api;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The extension's life cycle, driven by hand (its callbacks do not use the JUnit context). */
class KubeServerExtensionTest {

    @Test
    void perClassServerSurvivesNestedClassesAndStopsWithTheOutermost() throws Exception {
        KubeServerExtension ext = new KubeServerExtension();
        ext.beforeAll(null);
        LoopbackKubeServer outer = ext.server();
        ext.beforeAll(null);
        assertEquals(outer, ext.server(), "a nested class shares the outer server");
        ext.beforeEach(null);
        ext.afterEach(null);
        ext.afterAll(null);
        new CoreV1Api(ext.apiClient()).listNamespacedPod("default").execute();
        ext.afterAll(null);
        assertThrows(IllegalStateException.class, ext::server);
    }

    @Test
    void instanceFieldUseGivesAServerPerTest() {
        KubeServerExtension ext = new KubeServerExtension();
        ext.beforeEach(null);
        LoopbackKubeServer first = ext.server();
        ext.afterEach(null);
        assertThrows(IllegalStateException.class, ext::server);
        ext.beforeEach(null);
        assertNotSame(first, ext.server());
        ext.afterEach(null);
    }
}
