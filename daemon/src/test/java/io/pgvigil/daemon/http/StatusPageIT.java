package io.pgvigil.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.Browser;
import io.pgvigil.daemon.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real headless Chromium against a running daemon and a real PostgreSQL: the staged lock stall
 * (its root blocker, the ALTER and the queue behind it growing as the page refreshes), a hand-made index in the drift
 * view with its suggested SQL, deep links; nothing asked of any host but the daemon's, nothing in the console.
 * Screenshots of every view and the page's measurements go to {@code target/status-page/}.
 */
@ExtendWith(PostgresExtension.class)
class StatusPageIT {

  private static final String TOKEN = "page-token";

  @TempDir
  Path repo;

  @Test
  void showsTheStallTheDriftAndEveryViewAskingOnlyTheDaemon(TestPostgres pg) throws Exception {
    migrate(pg);
    Sql.execute(pg, "CREATE INDEX accounts_balance_idx ON accounts (balance)");
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("apiToken: " + TOKEN)
        .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms")
        .settings("migrations: { tool: flyway, locations: [./db/migration] }, drift: { interval: 1h }")
        // A queue of two is an abort inside a window; the kill switch stays in dry-run (the default).
        .with("rules:\n  lockQueue: { warn: 1, abort: 2 }").in(repo).start();
        Backends backends = new Backends(pg);
        Browser browser = Browser.start()) {
      String base = "http://127.0.0.1:" + daemon.port() + "/";
      browser.open(base + "#/targets/app/locks");
      await().atMost(Duration.ofSeconds(15)).until(() -> "locks".equals(browser.attribute("main", "data-view")));
      Map<?, ?> firstLoad = measure(browser);
      assertThat(new Http(daemon.port()).post("/api/v1/windows", TOKEN,
          "{\"target\": \"app\", \"ttl\": \"10m\", \"label\": \"deploy 42\"}").statusCode()).isEqualTo(201);

      LockStall stall = new LockStall(backends, "accounts")
          .hold("UPDATE accounts SET balance = balance + 1 WHERE id = 1").migrate().queue(2).awaitQueued();
      int holder = stall.holder().pid();
      int alter = stall.alter().pid();
      // The tree: the idle holder as root blocker, the ALTER waiting under it.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> browser.count(".tree .node.root[data-pid='" + holder + "']") == 1
              && browser.count(".tree .node.waiter[data-pid='" + alter + "']") == 1);
      assertThat(browser.text(".tree .node.root .who")).contains("root blocker", "idle in transaction", "app-holder");
      assertThat(browser.text(".tree .node.waiter[data-pid='" + alter + "'] .who"))
          .contains("AccessExclusiveLock on public.accounts", "migration");
      // The queue behind the ALTER: two readers now, four after two more queue, seen by the page refreshing.
      String queue = ".queue[data-pid='" + alter + "']";
      await().atMost(Duration.ofSeconds(10))
          .until(() -> "2".equals(browser.attribute(queue + " .depth", "data-depth")));
      assertThat(browser.text(queue + " h3")).contains("pid " + alter, "AccessExclusiveLock on public.accounts")
          .doesNotContain("null");
      assertThat(browser.text(queue)).contains("ALTER TABLE accounts ADD COLUMN", "blocked-backend-seconds");
      double cost = Double.parseDouble(browser.text(queue + " .cost"));
      stall.queue(2).awaitQueued();
      // The page may see 2, 3, 4 across its refreshes (+1 twice) or 2, 4 (+2); once the depth holds, no delta.
      // Depth and delta are read in one script, as the page redraws every second.
      await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(browser.script("""
          const q = document.querySelector(arguments[0]);
          const depth = q && q.querySelector('.depth'), delta = q && q.querySelector('.delta');
          return depth && delta ? depth.getAttribute('data-depth') + ' ' + delta.innerText : null;
          """, queue)).matches("[34]\\s+▲ \\+[12] since the last refresh"));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> "4".equals(browser.attribute(queue + " .depth", "data-depth")));
      await().atMost(Duration.ofSeconds(5)).until(() -> Double.parseDouble(browser.text(queue + " .cost")) > cost);
      browser.screenshot("locks");
      // Readable in both themes (WCAG AA for every piece of text) and on a phone.
      assertThat(browser.lowContrastText()).as("text below 4.5:1, light").isEmpty();
      browser.script("document.getElementById('theme').click()");
      await().atMost(Duration.ofSeconds(5)).until(() -> browser.script(
          "return document.documentElement.dataset.theme") != null);
      assertThat(browser.lowContrastText()).as("text below 4.5:1, dark").isEmpty();
      browser.screenshot("locks-dark");
      browser.resize(390, 844);
      browser.screenshot("locks-phone");
      browser.resize(1280, 1000);
      browser.script("document.getElementById('theme').click()");

      // The window the deploy opened, its profile and time left; the kill switch's decision on the stall.
      browser.navigate("#/targets/app/windows");
      await().atMost(Duration.ofSeconds(15)).until(() -> browser.count(".timeline .abort") > 0);
      assertThat(browser.text(".window")).contains("deploy 42", "in-window", "left");
      assertThat(browser.text(".timeline .abort")).contains("dry-run", "lockQueue");
      browser.screenshot("windows");

      // The drift view: the hand-made index, its live definition and the SQL that removes it, copyable.
      browser.navigate("#/targets/app/drift");
      String finding = ".severity[data-severity='performance'] .finding[data-object='public.accounts_balance_idx']";
      await().atMost(Duration.ofSeconds(60)).until(() -> browser.count(finding) == 1);
      assertThat(browser.text(finding + " .suggested"))
          .isEqualTo("DROP INDEX CONCURRENTLY public.accounts_balance_idx;");
      assertThat(browser.text(finding + " .compare")).contains("accounts_balance_idx", "(none)");
      assertThat(browser.count(finding + " button.copy")).isEqualTo(1);
      browser.screenshot("drift");

      for (String view : List.of("status", "replication", "alerts")) {
        browser.navigate("#/targets/app/" + view);
        await().atMost(Duration.ofSeconds(10)).until(() -> view.equals(browser.attribute("main", "data-view")));
        browser.screenshot(view);
      }
      browser.navigate("#/");
      await().atMost(Duration.ofSeconds(10)).until(() -> "targets".equals(browser.attribute("main", "data-view")));
      assertThat(browser.text(".target-card[data-target='app'] h2")).contains("app", "up");
      browser.screenshot("targets");

      // A deep link, loaded afresh as from an alert message, opens its view with the stall on it.
      browser.open(base + "#/targets/app/locks");
      await().atMost(Duration.ofSeconds(10)).until(() -> "locks".equals(browser.attribute("main", "data-view"))
          && browser.count(".tree .node.root[data-pid='" + holder + "']") == 1);
      assertThat(browser.text(".views a[aria-current='page']")).isEqualTo("Locks");
      // A malformed escape in a pasted link: the target taken as written, not a blank page.
      browser.navigate("#/targets/%E0/locks");
      await().atMost(Duration.ofSeconds(10)).until(() -> "locks".equals(browser.attribute("main", "data-view"))
          && String.valueOf(browser.text("main")).contains("%E0"));
      browser.navigate("#/targets/app/locks");
      stall.clear();
      await().atMost(Duration.ofSeconds(10)).until(() -> browser.text(".locks .summary").contains("no session waits"));

      // Nobody looking, nothing asked: a visible tab reads the API every second, a hidden one not at all.
      int visible = browser.requestedUrls().size();
      await().atMost(Duration.ofSeconds(3)).until(() -> browser.requestedUrls().size() > visible);
      browser.script("Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
          + "document.dispatchEvent(new Event('visibilitychange'))");
      // A read already under way may still finish.
      int[] settled = {browser.requestedUrls().size()};
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> {
        int now = browser.requestedUrls().size();
        boolean same = now == settled[0];
        settled[0] = now;
        return same;
      });
      int hidden = settled[0];
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
          .until(() -> browser.requestedUrls().size() == hidden);

      assertThat(browser.requestedUrls()).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(base));
      assertThat(browser.consoleErrors()).isEmpty();
      String numbers = "page transfer %s bytes (html+css+js+icon %s, first API reads %s), first contentful paint %s ms,"
          .formatted(firstLoad.get("total"), firstLoad.get("assets"), firstLoad.get("api"), firstLoad.get("fcp"))
          + " first data render %s ms after navigation start%n".formatted(firstLoad.get("rendered"));
      System.out.printf("status page: " + numbers);
      Files.writeString(Browser.OUTPUT.resolve("measurements.txt"), numbers);
    }
  }

  @Test
  void withAReadTokenThePageAsksForItOnceAndKeepsItForTheTab(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("readToken: " + TOKEN).start();
        Browser browser = Browser.start()) {
      String base = "http://127.0.0.1:" + daemon.port() + "/";
      browser.open(base + "#/targets/app");
      await().atMost(Duration.ofSeconds(10)).until(() -> browser.count("#token:not([hidden])") == 1);
      browser.all("#token-value").get(0).sendKeys(TOKEN);
      browser.all("#token button").get(0).click();
      await().atMost(Duration.ofSeconds(10)).until(() -> "status".equals(browser.attribute("main", "data-view")));
      assertThat(browser.script("return sessionStorage.getItem('pgvigil.readToken')")).isEqualTo(TOKEN);
      // Reloaded in the same tab: no question asked again.
      browser.open(base + "#/targets/app/locks");
      await().atMost(Duration.ofSeconds(10)).until(() -> "locks".equals(browser.attribute("main", "data-view")));
      assertThat(browser.count("#token:not([hidden])")).isZero();
      browser.screenshot("token-locks");
      assertThat(browser.requestedUrls()).allSatisfy(url -> assertThat(url).startsWith(base));
    }
  }

  @Test
  void servesThePageFromTheJarWithItsTypesCachingAndAStrictPolicy(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("readToken: " + TOKEN).start()) {
      Http http = new Http(daemon.port());
      HttpResponse<String> page = http.get("/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
          .startsWith("default-src 'self';");
      assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
      assertThat(page.body()).doesNotContain("http://", "https://", "<script>", "style=");
      assertThat(page.headers().firstValue("Vary")).hasValue("Accept-Encoding");
      // Relative asset URLs: the page works behind an ingress that serves pgvigil under a path prefix.
      assertThat(page.body()).doesNotContain("\"/status/", "\"/api/");
      String script = page.body().replaceAll("(?s).*src=\"(status/status\\.js\\?v=[0-9a-f]+)\".*", "$1");
      HttpResponse<String> js = http.get("/" + script);
      assertThat(js.headers().firstValue("Vary")).hasValue("Accept-Encoding");
      assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
      assertThat(js.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
      assertThat(js.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(http.get("/status/status.css").headers().firstValue("Content-Type"))
          .hasValue("text/css; charset=utf-8");
      assertThat(http.get("/status/status.css").headers().firstValue("Cache-Control")).hasValue("no-cache");
      assertThat(http.get("/favicon.ico").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
      assertThat(http.get("/status/nothing.js").statusCode()).isEqualTo(404);
      Http.RawResponse head = http.raw("HEAD / HTTP/1.1", null);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
      // The page is open (it holds no data); what it reads still wants the token.
      assertThat(http.get("/api/v1/targets").statusCode()).isEqualTo(401);
    }
  }

  /** The first load's bytes over the wire and its paint times, from the browser's own timing entries. */
  private static Map<?, ?> measure(Browser browser) {
    return (Map<?, ?>) browser.script("""
        const nav = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource');
        const assets = resources.filter(r => r.initiatorType !== 'fetch').reduce((n, r) => n + r.transferSize, 0);
        const api = resources.filter(r => r.initiatorType === 'fetch').reduce((n, r) => n + r.transferSize, 0);
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const rendered = performance.getEntriesByName('pgvigil-first-render')[0];
        return { total: nav.transferSize + assets + api, assets: nav.transferSize + assets, api,
          fcp: fcp ? Math.round(fcp.startTime) : null, rendered: rendered ? Math.round(rendered.startTime) : null };
        """);
  }

  private void migrate(TestPostgres pg) throws Exception {
    Path migrations = Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__accounts.sql"), """
        CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);
        INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g;
        """);
    Demo.migrate(pg.jdbcUrl(), migrations);
  }
}
