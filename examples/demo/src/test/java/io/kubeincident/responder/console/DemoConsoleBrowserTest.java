package io.kubeincident.responder.console;

import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.demo.DemoCluster;
import io.kubeincident.responder.demo.DemoConsole;
import io.kubeincident.responder.run.Responder;
import io.kubeincident.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code demo --ui} as a person sees it in a real headless Chromium: the demo's incidents, the bad rollout's timeline
 * (the README's screenshot) and the engine page. The console's own behaviour is tested in the responder module.
 */
class DemoConsoleBrowserTest {
    private static final String TOKEN = "console-test-token-7f3a";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Browser browser;
    private final List<AutoCloseable> started = new ArrayList<>();

    @BeforeAll
    static void openBrowser() throws Exception {
        browser = Browser.start();
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) browser.close();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started) c.close();
    }

    private static String base(Responder r) {
        return "http://127.0.0.1:" + r.httpPort();
    }

    @Test
    void theDemoClusterAsTheConsoleShowsIt() throws Exception {
        DemoCluster cluster = DemoCluster.start();
        started.add(cluster);
        ResponderConfig cfg = ResponderConfig.load(null, null, Map.of(),
                Map.of("runtime.namespace", "kube-incident", "audit.file", "", "monitoring.scan_interval", "2")).validated();
        Responder r = DemoConsole.start(cluster, cfg, 0, TOKEN);
        started.add(0, r);
        String checkout = Await.value(Duration.ofSeconds(40), () -> r.console().incidents().stream()
                .filter(i -> "shop".equals(i.get("namespace")) && "resolved".equals(i.get("phase")))
                .map(i -> (String) i.get("id")).findFirst(), "the bad rollout rolled back and resolved");
        browser.signIn(base(r), TOKEN, "alice");
        new WebDriverWait(browser.driver, WAIT).until(d -> d.findElements(By.cssSelector("#incidents tr[data-incident]")).size() >= 4);
        browser.screenshot("demo-incidents");
        browser.go(base(r), "#/incident/" + checkout);
        browser.awaitText(By.cssSelector("#timeline li[data-stage=outcome]"), "resolved", WAIT);
        String change = browser.text(By.cssSelector(".evidence p.change"), WAIT);
        assertTrue(change.contains("image registry.example.com/checkout:1.4.2 → registry.example.com/checkout:1.5.0"), change);
        long height = (Long) browser.js("return document.documentElement.scrollHeight");
        browser.viewport(1280, (int) Math.min(3000, height));
        browser.screenshot("demo-timeline");
        browser.viewport(1280, 800);
        browser.go(base(r), "#/status");
        browser.await(By.cssSelector("#audit li"), WAIT);
        String status = browser.text(By.id("status-page"), WAIT);
        assertTrue(status.contains("rollback-deployment") && status.contains("rules") && status.contains("synced"), status);
        browser.screenshot("demo-engine");
    }

}
