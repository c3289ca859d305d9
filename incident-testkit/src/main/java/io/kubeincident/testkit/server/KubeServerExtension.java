package io.kubeincident.testkit.server;

import io.kubernetes.client.openapi.ApiClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.List;

/**
 * Starts a {@link LoopbackKubeServer} per test class and stops it after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KubeServerExtension kube = new KubeServerExtension();
 *
 * @Test
 * void lists(ApiClient client) throws Exception {
 *     new CoreV1Api(client).listNamespacedPod("default").execute();
 * }
 * }</pre>
 *
 * Test and lifecycle methods may declare {@link LoopbackKubeServer} or {@link ApiClient} (the finite
 * timeout client) parameters. With {@link #resetBetweenTests()} every object is deleted after each
 * test. Used as an instance field ({@code @RegisterExtension} non-static) it gives one server per test.
 */
public final class KubeServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private volatile LoopbackKubeServer server;
    private volatile boolean perClass;
    /** Nested test classes run beforeAll/afterAll again: only the outermost starts and stops. */
    private int classDepth;
    private boolean reset;
    private boolean enforceRbac;

    /** Deletes every object and expected log after each test (the server itself is kept). */
    public KubeServerExtension resetBetweenTests() {
        this.reset = true;
        return this;
    }

    /**
     * Starts the server with RBAC enforcement on ({@link LoopbackKubeServer#enforceRbac()}) and fails every test
     * during which it refused a request (403), listing what was refused. Grant what the code under test needs
     * with {@link LoopbackKubeServer#loadRbac(String)} and give it {@link LoopbackKubeServer#apiClientAs}.
     */
    public KubeServerExtension enforceRbac() {
        this.enforceRbac = true;
        return this;
    }

    /** The running server; fails when called outside a test's life. */
    public LoopbackKubeServer server() {
        LoopbackKubeServer s = server;
        if (s == null) throw new IllegalStateException("the loopback API server is not running (outside a test?)");
        return s;
    }

    public ApiClient apiClient() {
        return server().apiClient();
    }

    public ApiClient informerApiClient() {
        return server().informerApiClient();
    }

    public String baseUrl() {
        return server().baseUrl();
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        perClass = true;
        if (classDepth++ == 0 && server == null) server = newServer();
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (--classDepth == 0) stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) server = newServer();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<RbacDecision> denied = List.of();
        if (enforceRbac && server != null) {
            denied = server.rbacDenials();
            server.clearRbacDecisions();
        }
        if (!perClass) {
            stop();
        } else if (reset && server != null) {
            server.reset();
        }
        if (!denied.isEmpty()) {
            StringBuilder sb = new StringBuilder("the loopback API server refused requests under RBAC:");
            denied.forEach(d -> sb.append("\n  ").append(d));
            throw new AssertionError(sb.toString());
        }
    }

    private LoopbackKubeServer newServer() {
        LoopbackKubeServer s = LoopbackKubeServer.start();
        if (enforceRbac) s.enforceRbac();
        return s;
    }

    private void stop() {
        LoopbackKubeServer s = server;
        server = null;
        if (s != null) s.close();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return t == LoopbackKubeServer.class || t == ApiClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        if (server == null) server = newServer();
        return p.getParameter().getType() == LoopbackKubeServer.class ? server : server.apiClient();
    }
}
