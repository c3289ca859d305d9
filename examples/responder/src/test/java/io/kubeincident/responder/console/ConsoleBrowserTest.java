package io.kubeincident.responder.console;

import io.kubeincident.api.Diagnosis;
import io.kubeincident.api.EventSummary;
import io.kubeincident.api.Evidence;
import io.kubeincident.api.Finding;
import io.kubeincident.api.Incident;
import io.kubeincident.api.IncidentReport;
import io.kubeincident.api.IncidentState;
import io.kubeincident.api.LogExcerpt;
import io.kubeincident.api.ResourceRef;
import io.kubeincident.api.Severity;
import io.kubeincident.responder.FixturesAccess;
import io.kubeincident.responder.config.ResponderConfig;
import io.kubeincident.responder.run.Responder;
import io.kubeincident.testkit.Await;
import io.kubeincident.testkit.server.KubeServerExtension;
import io.kubeincident.testkit.sim.ControllerEmulator;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web console in a real browser (Debian's headless chromium through Selenium) against the responder on
 * the loopback Kubernetes API server: live incidents without a reload, approving from the page, nothing
 * without the token, hostile strings shown as text, and a phone-width layout without sideways scrolling.
 * Every page is saved as a screenshot under {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {
    @RegisterExtension
    final KubeServerExtension kube = new KubeServerExtension();

    private static final String TOKEN = "console-test-token-7f3a";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The bound: an opened incident shows in the open list within two seconds, without a reload. */
    private static final Duration LIVE = Duration.ofSeconds(2);
    private static final String SCRIPT = "<script>window.__pwned=1</script>";
    private static final String IMG = "<img src=x onerror=\"window.__pwned=2\">";

    private static Browser browser;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> started = new ArrayList<>();

    @TempDir
    Path dir;

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
        browser.viewport(1280, 800);
        browser.driver.get("about:blank");
        for (AutoCloseable c : started) c.close();
    }

    private Responder responder(String config) throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, """
                monitoring:
                  scan_interval: 1
                responder_test:
                  fixed_analyzer: true
                """ + config);
        Map<String, String> overrides = Map.of("runtime.namespace", "kube-incident", "audit.file", "");
        ResponderConfig cfg = ResponderConfig.load(f, null, Map.of(), overrides).validated();
        Responder.Settings s = new Responder.Settings("kube-incident", "responder", "console-test", false, "127.0.0.1", 0,
                TOKEN, Duration.ofHours(1), List.of(), () -> cfg);
        Responder r = new Responder(s, cfg, kube.apiClient());
        started.add(r);
        return r;
    }

    private static String base(Responder r) {
        return "http://127.0.0.1:" + r.httpPort();
    }

    /** The id of the incident the console knows for {@code namespace}, once it knows one. */
    private static String incidentIn(Responder r, String namespace) {
        return Await.value(WAIT, () -> r.console().incidents().stream()
                .filter(i -> namespace.equals(i.get("namespace"))).map(i -> (String) i.get("id")).findFirst(),
                "the console store holds an incident in " + namespace);
    }

    @Test
    void anOpenedIncidentAppearsInTheListWithoutAReload() throws Exception {
        Responder r = responder("  confidence: 0.5\n");   // below the approval threshold: log only
        browser.signIn(base(r), TOKEN, "alice");
        browser.await(By.cssSelector("#incidents tbody"), WAIT);
        browser.js("window.__samePage = 'yes'");
        browser.screenshot("incidents-empty");

        FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        String id = incidentIn(r, "shop");
        browser.await(By.cssSelector("#incidents tr[data-incident='" + id + "']"), LIVE);
        assertEquals("yes", browser.js("return window.__samePage"), "the page was not reloaded");
        String row = browser.text(By.cssSelector("#incidents tr[data-incident='" + id + "']"), WAIT);
        assertTrue(row.contains("crash-loop") && row.contains("Deployment/shop/web"), row);
        browser.awaitText(By.cssSelector("#incidents tr[data-incident='" + id + "']"), "app-crash", WAIT);
        browser.screenshot("incidents-list");

        // filters: a phase nothing is in empties the list; back to all shows it again
        new Select(browser.driver.findElement(By.id("filter-namespace"))).selectByValue("shop");
        assertEquals(1, browser.driver.findElements(By.cssSelector("#incidents tr[data-incident]")).size());
        new Select(browser.driver.findElement(By.id("filter-severity"))).selectByValue("high");
        assertEquals(1, browser.driver.findElements(By.cssSelector("#incidents tr[data-incident]")).size());
        browser.js("const s = document.getElementById('filter-phase'); s.append(new Option('resolved', 'resolved'));"
                + "s.value = 'resolved'; s.dispatchEvent(new Event('change'));");
        assertEquals(0, browser.driver.findElements(By.cssSelector("#incidents tr[data-incident]")).size());
        browser.awaitText(By.id("incidents"), "No incident matches the filters.", WAIT);
        new Select(browser.driver.findElement(By.id("filter-phase"))).selectByValue("");
        assertEquals(1, browser.driver.findElements(By.cssSelector("#incidents tr[data-incident]")).size());
    }

    @Test
    void approvingFromThePageRunsTheActionAndTheTimelineShowsTheOutcome() throws Exception {
        String pod = FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        // the ReplicaSet controller's part: the restarted pod comes back, Ready
        started.add(ControllerEmulator.builder(kube.apiClient()).namespaces("shop").period(Duration.ofMillis(200)).start());
        Responder r = responder("  confidence: 0.7\n");   // in the approval band
        browser.signIn(base(r), TOKEN, "alice");
        browser.go(base(r), "#/approvals");
        By approve = By.cssSelector("#approvals-page .approval.status-pending button.approve");
        browser.await(approve, WAIT);
        // The page re-renders on every live update: elements are found afresh rather than held.
        String card = browser.text(By.cssSelector("#approvals-page .approval.status-pending"), WAIT);
        assertTrue(card.contains("restart-pod on Pod/shop/" + pod), card);
        assertTrue(card.contains("expires"), card);
        assertTrue(card.contains("confidence 0.70"), card);
        browser.screenshot("approvals-pending");
        assertEquals(List.of(pod), FixturesAccess.podNames(kube.apiClient(), "shop"), "nothing ran before the approval");

        browser.click(approve, WAIT);
        browser.awaitText(By.cssSelector("#approvals-page .approval[data-approval] .result"), "Approved: applied", WAIT);
        assertFalse(FixturesAccess.podNames(kube.apiClient(), "shop").contains(pod), "the approved restart deleted the pod");
        browser.await(By.cssSelector("#approvals-page .approval.status-approved"), WAIT);
        browser.screenshot("approvals-decided");

        String id = incidentIn(r, "shop");
        browser.go(base(r), "#/incident/" + id);
        browser.awaitText(By.id("timeline"), "restart-pod Pod/shop/" + pod + ": applied", WAIT);
        browser.awaitText(By.id("timeline"), "approved by alice", WAIT);
        try {
            browser.awaitText(By.cssSelector("#timeline li[data-stage=outcome]"), "resolved", WAIT);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no outcome on the timeline; the audit: " + r.console().audit("", 60).stream()
                    .map(a -> a.step() + " " + a.fields()).toList(), e);
        }
        List<String> stages = browser.attributes(By.cssSelector("#timeline li[data-stage]"), "data-stage");
        assertEquals(List.of("detected", "evidence", "diagnosis", "plan", "verdict", "approval"), stages.subList(0, 6), stages.toString());
        assertTrue(stages.indexOf("execution") > stages.indexOf("approval"), stages.toString());
        assertTrue(stages.indexOf("outcome") > stages.indexOf("execution"), stages.toString());
        browser.screenshot("incident-timeline");
    }

    @Test
    void anExpiredApprovalIsShownAsExpiredWithoutButtons() throws Exception {
        FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        Responder r = responder("  confidence: 0.7\napproval:\n  timeout: 2s\n");
        Await.until(WAIT, () -> r.console().approvalsSeen().stream().anyMatch(a -> a.fate().equals("expired")),
                "the approval request expired");
        browser.signIn(base(r), TOKEN, "alice");
        browser.go(base(r), "#/approvals");
        // The page re-renders on every live update: read the card afresh rather than hold a stale element.
        browser.awaitText(By.cssSelector("#approvals-page .approval.status-expired"), "expired", WAIT);
        assertTrue(browser.driver.findElements(By.cssSelector("#approvals-page .approval.status-expired button")).isEmpty(),
                "nothing to approve any more");
        browser.screenshot("approvals-expired");
        String id = incidentIn(r, "shop");
        browser.go(base(r), "#/incident/" + id);
        browser.awaitText(By.id("timeline"), "approval expired", WAIT);
        browser.awaitText(By.cssSelector("#timeline li[data-stage=outcome]"), "escalated", WAIT);
    }

    @Test
    void withoutTheTokenNothingButHealthAndMetricsIsServed() throws Exception {
        String pod = FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        Responder r = responder("  confidence: 0.7\n");
        String id = incidentIn(r, "shop");
        String approval = Await.value(WAIT, () -> r.console().approvalsSeen().stream().findFirst()
                .map(ConsoleStore.ApprovalSeen::id), "an approval request");

        assertEquals(200, get(r, "/healthz", null, Map.of()).statusCode());
        assertEquals(200, get(r, "/metrics", null, Map.of()).statusCode());
        Await.until(WAIT, () -> status(r, "/readyz") == 200, "ready");
        for (String path : List.of("/api/v1/incidents", "/api/v1/approvals", "/api/v1/console/incidents",
                "/api/v1/console/incidents/" + id, "/api/v1/console/approvals", "/api/v1/console/status",
                "/api/v1/console/audit?q=shop", "/api/v1/console/events")) {
            for (String token : new String[]{null, "wrong-token", ""}) {
                HttpResponse<String> res = get(r, path, token, Map.of());
                assertEquals(401, res.statusCode(), path + " with token " + token);
                assertFalse(res.body().contains(pod) || res.body().contains(id), res.body());
            }
        }
        assertEquals(401, post(r, "/api/v1/approvals/" + approval + "/approve", null, Map.of()).statusCode());
        // the right token from another site's page: refused, nothing runs
        assertEquals(403, post(r, "/api/v1/approvals/" + approval + "/approve", TOKEN,
                Map.of("Origin", "http://evil.example")).statusCode());
        assertEquals(403, post(r, "/api/v1/approvals/" + approval + "/approve", TOKEN,
                Map.of("Origin", "http://127.0.0.1:1")).statusCode());
        assertEquals(403, post(r, "/api/v1/approvals/" + approval + "/reject", TOKEN,
                Map.of("Sec-Fetch-Site", "cross-site")).statusCode());
        assertEquals(List.of(pod), FixturesAccess.podNames(kube.apiClient(), "shop"));
        assertTrue(get(r, "/api/v1/console/approvals", TOKEN, Map.of()).body().contains(approval), "still pending");
        // with the token: data
        HttpResponse<String> ok = get(r, "/api/v1/console/incidents/" + id, TOKEN, Map.of());
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains(pod), ok.body());

        // the page itself is a shell without data, served with a strict content security policy
        HttpResponse<String> page = get(r, "/console/", null, Map.of());
        assertEquals(200, page.statusCode());
        assertFalse(page.body().contains(pod) || page.body().contains(id));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertEquals(404, get(r, "/console/../config.yaml", null, Map.of()).statusCode());
        assertEquals(404, get(r, "/console/logback.xml", null, Map.of()).statusCode());
        assertEquals(302, get(r, "/", null, Map.of()).statusCode());

        browser.driver.get(base(r) + "/console/");
        browser.await(By.id("token"), WAIT);
        browser.screenshot("sign-in");
        assertTrue(browser.driver.findElements(By.cssSelector("[data-incident]")).isEmpty());
        assertFalse(browser.driver.getPageSource().contains(pod));
        // a wrong token is refused in the page too
        browser.driver.findElement(By.id("token")).sendKeys("wrong-token");
        browser.driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        browser.awaitText(By.id("login-error"), "not accepted", WAIT);
        assertTrue(browser.driver.findElements(By.cssSelector("[data-incident]")).isEmpty());
        assertNull(browser.js("return sessionStorage.getItem('kube-incident.token')"));
    }

    @Test
    void podNamesLogLinesAndAnalyzerTextAreShownAsTextAndRunNothing() throws Exception {
        String pod = FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "web");
        kube.server().expectPodLog("shop", pod, "app", true, "starting\n" + SCRIPT + "\n" + IMG + "\n");
        kube.server().expectPodLog("shop", pod, "app", false, SCRIPT + "\n");
        new CoreV1Api(kube.apiClient()).createNamespacedEvent("shop", new CoreV1Event()
                .metadata(new V1ObjectMeta().name(pod + ".hostile").namespace("shop"))
                .involvedObject(new V1ObjectReference().kind("Pod").namespace("shop").name(pod))
                .type("Warning").reason("BackOff").message("Back-off " + IMG).count(7)
                .firstTimestamp(OffsetDateTime.now().minusMinutes(5)).lastTimestamp(OffsetDateTime.now())).execute();
        Responder r = responder("  confidence: 0.7\n  text: '" + (" LLM says " + SCRIPT + IMG).replace("'", "''") + "'\n");
        String id = incidentIn(r, "shop");
        // A real API server refuses such a name; it reaches the console the way the engine hands incidents over.
        String hostileName = "web-" + IMG + SCRIPT;
        ResourceRef hostilePod = ResourceRef.of("Pod", "shop", hostileName);
        Incident hostile = new Incident("crash-loop-hostile", "crash-loop|Pod/shop/hostile", "crash-loop", Severity.HIGH,
                hostilePod, List.of(hostilePod), List.of(new Finding("crash-loop", "crash-loop", Severity.HIGH, hostilePod,
                "pod " + hostileName + " is crash-looping", Map.of(), Instant.now())), IncidentState.OPEN, Instant.now(), null);
        r.console().onIncidentOpened(hostile);
        r.console().onIncidentAnalyzed(new IncidentReport(hostile, new Evidence(
                List.of(new EventSummary("Warning", "BackOff", "restarting " + SCRIPT, 3, null, null, hostilePod)),
                List.of(new LogExcerpt(hostilePod, "app" + IMG, true, List.of(SCRIPT, IMG), false)),
                List.of(hostilePod), List.of(), Map.of("note" + IMG, SCRIPT), List.of()),
                new Diagnosis("app-crash", "root " + SCRIPT, "reasoning " + IMG, 0.5, "fixed-test", List.of(), Map.of()),
                List.of()));

        browser.signIn(base(r), TOKEN, IMG);
        browser.await(By.cssSelector("#incidents tr[data-incident='crash-loop-hostile']"), WAIT);
        assertTrue(browser.text(By.cssSelector("#incidents tr[data-incident='crash-loop-hostile']"), WAIT).contains("Pod/shop/" + hostileName));
        browser.screenshot("hostile-list");

        browser.go(base(r), "#/incident/crash-loop-hostile");
        browser.awaitText(By.id("incident-detail"), "root " + SCRIPT, WAIT);
        String detail = browser.text(By.id("incident-detail"), WAIT);
        assertTrue(detail.contains("reasoning " + IMG) || detail.contains("Reasoning"), detail);
        assertTrue(detail.contains("restarting " + SCRIPT), detail);
        assertTrue(detail.contains(SCRIPT + "\n" + IMG), "the log lines as text: " + detail);
        assertTrue(detail.contains("note" + IMG), detail);
        browser.screenshot("hostile-incident");

        browser.go(base(r), "#/incident/" + id);
        browser.awaitText(By.id("incident-detail"), "exits with code 1LLM says " + SCRIPT + IMG, WAIT);
        String real = browser.text(By.id("incident-detail"), WAIT);
        assertTrue(real.contains("Back-off " + IMG), "the event message as text: " + real);
        assertTrue(real.contains(SCRIPT), real);
        browser.screenshot("hostile-llm-text");

        browser.go(base(r), "#/approvals");
        browser.awaitText(By.id("approvals-page"), "restart itLLM says " + SCRIPT + IMG, WAIT);
        browser.go(base(r), "#/status");
        browser.await(By.id("audit"), WAIT);
        browser.awaitText(By.id("audit"), "restart itLLM says", WAIT);

        assertNull(browser.js("return window.__pwned"), "no injected script ran");
        assertEquals(0L, browser.js("return document.querySelectorAll('#view img, #view script').length"));
    }

    @Test
    void everyPageFitsAPhoneScreenAndTheDesktop() throws Exception {
        String pod = FixturesAccess.crashLoopingDeployment(kube.apiClient(), "shop", "a-rather-long-deployment-name-to-wrap");
        kube.server().expectPodLog("shop", pod, "app", true,
                "error: " + "x".repeat(300) + "\npanic: connection refused to db.shop.svc.cluster.local:5432\n");
        Responder r = responder("  confidence: 0.7\n");
        String id = incidentIn(r, "shop");
        Await.value(WAIT, () -> r.console().approvalsSeen().stream().findFirst(), "an approval request");
        browser.signIn(base(r), TOKEN, "alice");
        for (int[] size : new int[][]{{390, 844}, {1280, 800}}) {
            browser.viewport(size[0], size[1]);
            String tag = size[0] < 600 ? "phone" : "desktop";
            for (String[] page : new String[][]{{"#/incidents", "#incidents tr[data-incident]", "incidents"},
                    {"#/incident/" + id, "#timeline li[data-stage=verdict]", "incident"},
                    {"#/approvals", "#approvals-page .approval", "approvals"},
                    {"#/status", "#audit li", "engine"}}) {
                browser.go(base(r), page[0]);
                browser.await(By.cssSelector(page[1]), WAIT);
                browser.screenshot(tag + "-" + page[2]);
                assertFalse(browser.scrollsSideways(), page[2] + " scrolls sideways at " + size[0] + " px: scrollWidth "
                        + browser.js("return document.documentElement.scrollWidth"));
            }
        }
        // usable with the keyboard: the approve button is reachable by Tab and works with Enter
        browser.viewport(1280, 800);
        browser.go(base(r), "#/approvals");
        browser.await(By.cssSelector("#approvals-page .approval.status-pending button.approve"), WAIT);
        boolean reached = false;
        for (int i = 0; i < 40 && !reached; i++) {
            browser.driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
            WebElement active = browser.driver.switchTo().activeElement();
            reached = "approve".equals(active.getAttribute("class"));
        }
        assertTrue(reached, "Tab reaches the Approve button");
        browser.driver.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.awaitText(By.cssSelector("#approvals-page .approval .result"), "Approved: applied", WAIT);
    }

    private HttpResponse<String> get(Responder r, String path, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(r) + path)).timeout(Duration.ofSeconds(10));
        if (token != null) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(Responder r, String path) {
        try {
            return get(r, path, null, Map.of()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private HttpResponse<String> post(Responder r, String path, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(r) + path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"approver\":\"mallory\"}"));
        if (token != null) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
