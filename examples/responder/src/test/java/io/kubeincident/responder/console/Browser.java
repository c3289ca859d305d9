package io.kubeincident.responder.console;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's headless chromium driven by Selenium through Debian's chromedriver, with a fresh profile. A
 * missing browser is a test failure with the fix in its message, never a skip: {@code .ci/run} installs
 * both packages. Screenshots go to {@code target/console-screenshots/}.
 */
final class Browser implements AutoCloseable {
    static final Path SHOTS = Path.of("target", "console-screenshots");

    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;

    private Browser(ChromeDriver driver, ChromeDriverService service, Path profile) {
        this.driver = driver;
        this.service = service;
        this.profile = profile;
    }

    static Browser start() throws IOException {
        Path chromium = find("CHROME_BIN", "/usr/bin/chromium", "/usr/bin/chromium-browser");
        Path chromedriver = find("CHROMEDRIVER", "/usr/bin/chromedriver");
        if (chromium == null || chromedriver == null) {
            fail("the console's browser tests need Debian's chromium and chromedriver (found chromium: " + chromium
                    + ", chromedriver: " + chromedriver + "); install them with: apt-get install -y chromium chromium-driver "
                    + "(.ci/run does), or point CHROME_BIN and CHROMEDRIVER at them");
        }
        Path profile = Files.createTempDirectory("console-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--window-size=1280,800", "--user-data-dir=" + profile);
        // The driver is given by path: Selenium Manager would try to download one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        Browser b = new Browser(driver, service, profile);
        b.viewport(1280, 800);
        return b;
    }

    private static Path find(String env, String... candidates) {
        String given = System.getenv(env);
        if (given != null && !given.isBlank() && Files.isExecutable(Path.of(given))) return Path.of(given);
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        }
        return null;
    }

    /** The page's layout viewport, as a device of that size would have it. */
    void viewport(int width, int height) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", width < 600));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    WebElement await(By by, Duration timeout) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50))
                .until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /**
     * Clicks the element {@code by} finds once it is shown and enabled. The console re-renders on every live update,
     * so a found element can go stale before the click lands: it is found afresh until the click goes through.
     */
    void click(By by, Duration timeout) {
        new WebDriverWait(driver, timeout, Duration.ofMillis(50)).ignoring(StaleElementReferenceException.class)
                .until(d -> {
                    WebElement e = d.findElement(by);
                    if (!e.isDisplayed() || !e.isEnabled()) return false;
                    e.click();
                    return true;
                });
    }

    /** The text of the element {@code by} finds, read afresh if a re-render replaced it meanwhile. */
    String text(By by, Duration timeout) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(by).getText());
    }

    void awaitText(By by, String text, Duration timeout) {
        new WebDriverWait(driver, timeout, Duration.ofMillis(50))
                .until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** Opens the console at {@code base} and enters the token (and a name for approvals); waits for the live stream. */
    void signIn(String base, String token, String name) {
        driver.get(base + "/console/");
        await(By.id("token"), Duration.ofSeconds(10)).sendKeys(token);
        driver.findElement(By.id("approver")).sendKeys(name);
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        awaitText(By.id("live"), "live", Duration.ofSeconds(10));
    }

    void go(String base, String hash) {
        js("location.hash = arguments[0]", hash);
    }

    /** Saves what the browser shows as {@code target/console-screenshots/<name>.png}. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SHOTS);
            Path to = SHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), to, StandardCopyOption.REPLACE_EXISTING);
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the page is wider than the viewport (a horizontal scroll bar). */
    boolean scrollsSideways() {
        Object r = js("return document.documentElement.scrollWidth > document.documentElement.clientWidth"
                + " || document.body.scrollWidth > document.documentElement.clientWidth");
        return Boolean.TRUE.equals(r);
    }

    List<String> texts(By by) {
        return attributes(by, null);
    }

    /** The attribute {@code name} (the text when null) of every element {@code by} finds, read afresh after a re-render. */
    List<String> attributes(By by, String name) {
        return new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(50))
                .ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElements(by).stream().map(e -> name == null ? e.getText() : e.getAttribute(name)).toList());
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind
            }
        }
    }
}
