package io.pgvigil.daemon.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * A real headless Chromium driven through chromedriver, both Debian's ({@code apt-get install chromium
 * chromium-driver}; {@code .ci/run} installs them), with a fresh profile under {@code target/}. Without them the test
 * is skipped (a JUnit assumption) and says why. It keeps the browser's console and its network log (Chrome's
 * performance log): what the page printed and every URL it asked for.
 *
 * <pre>{@code
 * try (Browser browser = Browser.start()) { browser.open(url); browser.screenshot("locks"); }
 * }</pre>
 */
public final class Browser implements AutoCloseable {

  /** Debian's, or another build named in the environment (the test JVM inherits it from Maven). */
  private static final Path CHROMIUM = Path.of(environment("PGVIGIL_CHROMIUM", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(environment("PGVIGIL_CHROMEDRIVER", "/usr/bin/chromedriver"));
  /** Screenshots and measurements, for a person to look at after the build. */
  public static final Path OUTPUT = Path.of("target", "status-page");

  private final ChromeDriver driver;
  private final List<LogEntry> console = new ArrayList<>();
  private final List<String> requested = new ArrayList<>();

  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  private static String environment(String name, String otherwise) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? otherwise : value;
  }

  /** Whether Chromium and chromedriver are installed, for a test that has more to check than the page. */
  public static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /** Why a browser check did not run. */
  public static String unavailable() {
    return "browser tests skipped: no " + CHROMIUM + " or " + CHROMEDRIVER
        + " (apt-get install chromium chromium-driver, as .ci/run does)";
  }

  /** Starts Chromium, or skips the test when it or chromedriver is not installed. */
  public static Browser start() throws IOException {
    assumeTrue(available(), unavailable());
    Files.createDirectories(OUTPUT);
    // Under target/, not /tmp: mvn clean removes what close() could not (a killed test JVM).
    Path profile = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "chromium-profile-");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
    // Chromium reaches for Google's services unless told not to; this machine's network refuses them, and a test
    // asserts that the page asks for nothing but 127.0.0.1.
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage", "--window-size=1280,1000",
        "--user-data-dir=" + profile.toAbsolutePath());
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL", LogType.PERFORMANCE, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().withLogFile(OUTPUT.resolve("chromedriver.log").toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
    return new Browser(driver, profile);
  }

  /** The window's size in CSS pixels, e.g. a phone's 390 by 844. */
  public void resize(int width, int height) {
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(width, height));
  }

  /**
   * Every piece of text on the page whose colour against its background is below WCAG AA's 4.5:1 (computed styles,
   * the background taken from the nearest ancestor that has one), as "ratio text".
   */
  @SuppressWarnings("unchecked")
  public List<String> lowContrastText() {
    return (List<String>) script(
        """
            const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
            const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
              .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
            const background = el => {
              for (let e = el; e; e = e.parentElement) {
                const c = rgb(getComputedStyle(e).backgroundColor);
                if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
              }
              return rgb(getComputedStyle(document.body).backgroundColor).slice(0, 3);
            };
            const low = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const el = n.parentElement;
              if (!n.textContent.trim() || !el.getClientRects().length || el.closest('[hidden], .sr, title')) continue;
              const a = lum(rgb(getComputedStyle(el).color).slice(0, 3));
              const b = lum(background(el));
              const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
              if (ratio < 4.5) low.push(ratio.toFixed(2) + ' ' + n.textContent.trim().slice(0, 40));
            }
            return low;
            """);
  }

  public void open(String url) {
    driver.get(url);
  }

  /** Goes to {@code hash} on the page already open, as a click on a link to it would. */
  public void navigate(String hash) {
    script("location.hash = arguments[0]", hash);
  }

  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** How many elements {@code css} finds; read in one script, as the page redraws every second. */
  public long count(String css) {
    return (Long) script("return document.querySelectorAll(arguments[0]).length", css);
  }

  /** The rendered text of the first element {@code css} finds, or null. */
  public String text(String css) {
    return (String) script("const e = document.querySelector(arguments[0]); return e ? e.innerText : null", css);
  }

  public String attribute(String css, String name) {
    return (String) script(
        "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null",
        css, name);
  }

  public Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  public Path screenshot(String name) throws IOException {
    Path file = OUTPUT.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /** What the page printed at SEVERE (console errors, failed loads, CSP refusals) since the browser started. */
  public List<String> consoleErrors() {
    console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
    return console.stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).toList();
  }

  /**
   * Every URL the browser asked for since it started, from its network log, but for its own {@code chrome://} pages
   * (the new-tab page it opens before the test's first page) and {@code data:} URLs (Chromium's own, a blank GIF):
   * those never leave the process.
   */
  public List<String> requestedUrls() {
    for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE).getAll()) {
      JsonObject message = new JsonObject(entry.getMessage()).getJsonObject("message");
      if ("Network.requestWillBeSent".equals(message.getString("method"))) {
        String url = message.getJsonObject("params").getJsonObject("request").getString("url");
        if (!url.startsWith("chrome://") && !url.startsWith("data:")) {
          requested.add(url);
        }
      }
    }
    return List.copyOf(requested);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteProfile();
    }
  }

  /** Chromium has exited once quit() returns; what it left in its profile goes with the profile. */
  private void deleteProfile() {
    try (java.util.stream.Stream<Path> files = Files.walk(profile)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // A leftover under target/ fails no test; mvn clean takes it.
      System.err.println("Chromium profile " + profile + " not fully deleted: " + e);
    }
  }
}
