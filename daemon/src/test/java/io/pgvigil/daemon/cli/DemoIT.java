package io.pgvigil.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.testing.Browser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The front door: {@code java -jar pgvigil.jar demo} with nothing configured
 * serves metrics for its embedded database from two clustered instances, one
 * of which owns the target until the demo stops it and the other takes over;
 * Ctrl-C (SIGTERM here) stops it with exit code 0 and removes what it created.
 */
class DemoIT {

  private static final Pattern OWNER =
      Pattern.compile("Instance (\\w+)\\s+http://127\\.0\\.0\\.1:(\\d+)\\s+owns 'shop'");
  private static final Pattern STANDBY =
      Pattern.compile("Instance (\\w+)\\s+http://127\\.0\\.0\\.1:(\\d+)\\s+stands by");
  private static final Pattern STAGING = Pattern.compile("staging in (\\S+)");
  private static final Pattern TAKEOVER =
      Pattern.compile("instance (\\w+) owns 'shop' now, (\\d+) ms after the stop began");

  @Test
  void demoServesMetricsForItsEmbeddedDatabaseAndCleansUp() throws Exception {
    long started = System.nanoTime();
    try (JarProcess demo = JarProcess.start("demo", "--port", "0",
        "--pg-major", Integer.toString(TestServers.major()),
        "--cache-dir", TestServers.binariesCache().toString())) {
      await().atMost(Duration.ofSeconds(120)).until(() -> demo.find(STANDBY) != null || !demo.isAlive());
      assertThat(demo.isAlive()).as("demo runs; output:%n%s", demo.output()).isTrue();
      // Two instances, each listed with its URL; the welcome text says which owns the target.
      String ownerName = demo.find(OWNER);
      assertThat(ownerName).as("an owner in the welcome text; output:%n%s", demo.output()).isNotNull();
      String standbyName = demo.find(STANDBY);
      assertThat(List.of(ownerName, standbyName)).containsExactlyInAnyOrder("a", "b");
      // The first URL the demo prints is the status page of the instance that owns the target.
      Matcher firstUrl = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/[^\\s,)]*").matcher(demo.output());
      assertThat(firstUrl.find()).isTrue();
      assertThat(firstUrl.group()).isEqualTo("http://127.0.0.1:" + port(demo, OWNER) + "/");
      Http first = new Http(port(demo, OWNER));
      assertThat(first.get("/").headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      Http second = new Http(port(demo, STANDBY));
      // Whichever instance owns 'shop' when asked: the demo stops the first owner on its timeline.
      Owner http = new Owner(first, second);
      // The page watched in Chromium beside the timeline; its sightings are checked at the end.
      BrowserWatch browser = BrowserWatch.start(http);
      try {
        await().atMost(Duration.ofSeconds(15))
            // On a loaded machine one request can time out: that is not what this test is about.
            .ignoreExceptionsInstanceOf(UncheckedIOException.class)
            .until(() -> http.get("/metrics").body().contains("pgvigil_up{target=\"shop\"} 1"));
        System.out.printf("demo served pgvigil_up=1 %d ms after launch%n",
            (System.nanoTime() - started) / 1_000_000);
        // Exactly one owner, and both instances name it.
        for (Http instance : List.of(first, second)) {
          JsonObject listed = new JsonObject(instance.get("/api/v1/targets").body()).getJsonArray("targets")
              .getJsonObject(0);
          assertThat(listed.getString("name")).isEqualTo("shop");
          assertThat(listed.getString("owner")).isEqualTo(ownerName);
          assertThat(listed.getBoolean("ownedHere")).isEqualTo(instance == first);
        }
        assertThat(new JsonObject(second.get("/api/v1/targets/shop/locks").body()).getString("status"))
            .isEqualTo("owned-elsewhere");

        JsonObject shop = new JsonObject(http.get("/api/v1/targets/shop").body());
        assertThat(shop.getBoolean("up")).isTrue();
        assertThat(shop.getJsonObject("server").getString("role")).isEqualTo("pgvigil");
        assertThat(shop.getJsonObject("server").getBoolean("pgMonitor")).isTrue();
        assertThat(shop.getJsonObject("server").getInteger("major")).isEqualTo(TestServers.major());
        assertThat(demo.output()).contains("12 of 12 files applied").doesNotContain("Exception");
        // The pre-flight review of the staged pending migration: ADD COLUMN without a lock_timeout.
        assertThat(demo.output()).contains("V12__add_products_description.sql")
            .contains("flag   access-exclusive-without-lock-timeout").contains("public.products")
            .contains("review: 1 pending migration, 0 blocks, 1 flag: PASS");

        // The staged history drift: an applied file edited, a new one pending.
        await().atMost(Duration.ofSeconds(30)).until(
            () -> new JsonObject(http.get("/api/v1/targets/shop/drift").body()).getString("status").equals("drift"));
        JsonObject drift = new JsonObject(http.get("/api/v1/targets/shop/drift").body());
        assertThat(drift.getJsonObject("history").getJsonArray("problems").stream()
            .map(p -> ((JsonObject) p).getString("kind") + " " + ((JsonObject) p).getString("script")))
            .containsExactlyInAnyOrder("checksum-mismatch V2__create_products.sql",
                "pending V12__add_products_description.sql");
        // The staged structural drift: the hand hotfix, and the index the edited V2 now creates.
        JsonArray findings = drift.getJsonObject("structure").getJsonArray("findings");
        assertThat(findings.stream().map(f -> ((JsonObject) f).getString("change") + " "
            + ((JsonObject) f).getString("kind") + " " + ((JsonObject) f).getString("object")))
            .contains("unexpected index public.orders_status_idx",
                "changed column public.products.active",
                "unexpected index public.customers_full_name_key",
                "missing index public.products_active_idx");
        await().atMost(Duration.ofSeconds(40)).until(() -> Http.sample(http.get("/metrics").body(),
            "pgvigil_invalid_indexes{target=\"shop\"}") == 1.0);

        // Alerts: the drift reaches the local Slack stand-in, which prints it on the console.
        await().atMost(Duration.ofSeconds(30))
            .until(() -> demo.output().contains("[slack] FIRING shop historyDrift (warning): "));
        assertThat(demo.output()).contains("[slack] FIRING shop schemaDrift (warning): ");
        JsonObject alerts = new JsonObject(http.get("/api/v1/alerts").body());
        assertThat(alerts.getJsonArray("sinks").getList()).containsExactly("slack", "pagerduty");
        assertThat(alerts.getJsonArray("firing").stream().map(a -> ((JsonObject) a).getString("key")))
            .contains("shop/historyDrift/", "shop/schemaDrift/");

        // The lock stall forms: a queue behind the ALTER, rooted at the idle transaction.
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
          JsonArray queues = new JsonObject(http.get("/api/v1/targets/shop/locks").body()).getJsonArray("queues");
          return queues != null && !queues.isEmpty() && queues.getJsonObject(0).getInteger("depth") >= 2;
        });
        JsonObject locks = new JsonObject(http.get("/api/v1/targets/shop/locks").body());
        assertThat(locks.getJsonArray("queues").getJsonObject(0).getString("query"))
            .startsWith("ALTER TABLE inventory");
        assertThat(locks.getJsonArray("trees").getJsonObject(0).getJsonObject("root").getString("state"))
            .isEqualTo("idle in transaction");

        // The kill switch: the stalled migration's ALTER is cancelled inside its automatic window, and the idle
        // transaction of the application's role that blocked it is terminated (by the first owner, or on a slow
        // machine by the survivor in the next stall).
        await().atMost(Duration.ofSeconds(150)).ignoreExceptions().until(() -> cancelled(http.get("/metrics").body())
            && Http.sample(http.get("/metrics").body(),
                "pgvigil_abort_actions_total{action=\"terminate\",result=\"terminated\",target=\"shop\"}") >= 1.0);
        JsonObject abort = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(
            () -> new JsonObject(http.get("/api/v1/aborts").body()).getJsonArray("aborts").getJsonObject(0),
            a -> a != null);
        assertThat(abort.getString("rule")).isEqualTo("lockQueue");
        // ... and pages: the lock queue at its abort level inside the window, and the cancel.
        await().atMost(Duration.ofSeconds(15))
            .until(() -> demo.output().contains("[pagerduty] TRIGGER shop killSwitch (critical): ")
                && demo.output().contains("[pagerduty] TRIGGER shop lockQueue (critical): "));
        // The receiver prints before it answers: the count follows a moment later.
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> Http.sample(http.get("/metrics").body(),
            "pgvigil_alert_notifications_total{result=\"sent\",sink=\"pagerduty\"}") >= 2.0);

        // Replica lag: replay paused on the replica while the primary takes a backfill.
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
            .until(() -> new JsonObject(http.get("/api/v1/targets/shop/replication").body())
                .getJsonArray("replicas").getJsonObject(0).getBoolean("paused", false));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> Http.sample(http.get("/metrics").body(),
            "pgvigil_replication_lag_bytes{configured=\"true\",kind=\"physical\",replica=\"replica-1\",target=\"shop\"}") > 0);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> http.get("/metrics").body().contains("pgvigil_replication_slot_retained_bytes{slot="));
        // The lag reported is the pause's (30 s at most), not the idle time before it as well: sampled from
        // here (the pause may have begun a while ago) until replay has resumed and caught up.
        String delay = "pgvigil_replication_lag_seconds{configured=\"true\",kind=\"replay_delay\","
            + "replica=\"replica-1\",sender=\"physical\",target=\"shop\"}";
        java.util.List<Double> lags = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
          double lag = Http.sample(http.get("/metrics").body(), delay);
          // NaN: an instance that has just taken the target over has not polled its replica yet.
          if (!Double.isNaN(lag)) {
            lags.add(lag);
          }
          return lags.size() > 4 && lags.get(lags.size() - 1) == 0.0;
        });
        assertThat(lags).as("replay_delay during and after a 30 s pause")
            .anySatisfy(lag -> assertThat(lag).isPositive())
            .allSatisfy(lag -> assertThat(lag).isLessThanOrEqualTo(31.0));

        // Failover on the timeline: the demo stops the owner, the other owns 'shop' and handles the next stall.
        await().atMost(Duration.ofSeconds(120)).until(() -> demo.find(TAKEOVER) != null
            && demo.output().contains("instance " + ownerName + " stopped ("));
        assertThat(demo.output()).contains("Failover: stopping instance " + ownerName + " (");
        assertThat(demo.find(TAKEOVER)).isEqualTo(standbyName);
        Matcher takeover = TAKEOVER.matcher(demo.output());
        assertThat(takeover.find()).isTrue();
        System.out.printf("demo: instance %s took over %s ms after the stop began%n", standbyName, takeover.group(2));
        JsonObject survivor = new JsonObject(second.get("/api/v1/targets").body()).getJsonArray("targets")
            .getJsonObject(0);
        assertThat(survivor.getString("owner")).isEqualTo(standbyName);
        assertThat(survivor.getBoolean("ownedHere")).isTrue();
        assertThatThrownBy(() -> first.get("/healthz")).isInstanceOf(UncheckedIOException.class);
        // The survivor's own counters: a cancel there is a stall it handled after the takeover.
        await().atMost(Duration.ofSeconds(150)).ignoreExceptions()
            .until(() -> cancelled(second.get("/metrics").body()));

        // The Grafana dashboard queries only series this daemon really exports: the survivor, once it has run
        // its own checks and handled a stall.
        String dashboard = Files.readString(Path.of("..", "helm", "pgvigil", "dashboards", "pgvigil.json"));
        java.util.Set<String> queried = new java.util.TreeSet<>();
        java.util.regex.Matcher metric = java.util.regex.Pattern.compile("\\bpgvigil_[a-z0-9_]+").matcher(dashboard);
        while (metric.find()) {
          queried.add(metric.group());
        }
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
            .until(() -> queried.stream().allMatch(second.get("/metrics").body()::contains));
        String exported = second.get("/metrics").body();
        assertThat(queried).isNotEmpty()
            .allSatisfy(name -> assertThat(exported).as("dashboard series %s in a live /metrics", name).contains(name));

        if (browser != null) {
          // The stall recurs every minute and the replica pauses every two: one more of each at most.
          BrowserWatch.Watched watched = browser.result(Duration.ofSeconds(150));
          assertThat(watched.seen()).as("what the status page showed in Chromium")
              .containsExactlyInAnyOrder("demo-locks", "demo-drift", "demo-replication");
          assertThat(watched.requested()).allSatisfy(url -> assertThat(url).startsWith("http://127.0.0.1:"));
        }

        Path work = Path.of(demo.find(STAGING));
        assertThat(work.resolve("pgvigil-a.yaml")).exists();
        assertThat(work.resolve("pgvigil-b.yaml")).exists();
        assertThat(work.resolve("a/state/owners.json")).exists();
        assertThat(work.resolve("b/state/owners.json")).exists();

        int exit = demo.terminate(30);

        assertThat(exit).as("exit code; output:%n%s", demo.output()).isEqualTo(0);
        assertThat(work).doesNotExist();
      } finally {
        if (browser != null) {
          browser.close();
        }
      }
    }
  }

  /**
   * What the person watching sees on the status page: the stall's tree and queue, the staged drift with its SQL, the
   * paused replica; on whichever instance owns 'shop' (the demo fails over on its timeline). It runs on its own thread
   * beside the test's timeline, so that Chromium starting or a slow redraw never makes the test miss a moment of the
   * demo it checks through the API; each sighting is of what the page shows at that moment, and the stall and the
   * pause recur on the demo's timeline, so a sighting missed once is seen at the next round.
   */
  private static final class BrowserWatch implements AutoCloseable {

    private record Sighting(String name, String view, java.util.function.Predicate<Browser> seen) {}

    private static final List<Sighting> SIGHTINGS = List.of(
        new Sighting("demo-locks", "locks", browser -> browser.count(".tree .node.root") > 0
            && browser.count(".queue .depth") > 0
            && browser.text(".tree .node.root .who").contains("idle in transaction")),
        new Sighting("demo-drift", "drift", browser -> String.valueOf(
            browser.text(".finding[data-object='public.orders_status_idx'] .suggested"))
            .contains("DROP INDEX CONCURRENTLY public.orders_status_idx")),
        new Sighting("demo-replication", "replication",
            browser -> String.valueOf(browser.text("tr[data-replica='replica-1']")).contains("replay paused")));

    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(
        task -> {
          Thread thread = new Thread(task, "demo-browser");
          thread.setDaemon(true);
          return thread;
        });
    private final java.util.concurrent.Future<Watched> watched;

    /** What the page showed: the sightings seen, and every URL the browser asked for. */
    record Watched(java.util.Set<String> seen, List<String> requested) {}

    private BrowserWatch(Owner http) {
      watched = thread.submit(() -> watch(http));
    }

    /** Starts watching, or says why not and returns null when there is no Chromium here. */
    static BrowserWatch start(Owner http) {
      if (!Browser.available()) {
        System.out.println(Browser.unavailable());
        return null;
      }
      return new BrowserWatch(http);
    }

    private Watched watch(Owner http) throws IOException {
      java.util.Set<String> seen = new java.util.TreeSet<>();
      try (Browser browser = Browser.start()) {
        String at = null;
        while (!stopped.get() && seen.size() < SIGHTINGS.size()) {
          for (Sighting sighting : SIGHTINGS) {
            if (stopped.get() || seen.contains(sighting.name())) {
              continue;
            }
            String base;
            try {
              base = "http://127.0.0.1:" + http.instance().port() + "/";
            } catch (UncheckedIOException e) {
              continue; // between owners during the failover
            }
            String page = base + "#/targets/shop/" + sighting.view();
            if (!base.equals(at)) {
              browser.open(page);
              at = base;
            } else {
              browser.navigate("#/targets/shop/" + sighting.view());
            }
            try {
              await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                  .until(() -> stopped.get() || sighting.seen().test(browser));
              if (!stopped.get()) {
                browser.screenshot(sighting.name());
                seen.add(sighting.name());
              }
            } catch (org.awaitility.core.ConditionTimeoutException e) {
              // not on the page at this moment: the next view, and this one again in the next round
            }
          }
        }
        return new Watched(seen, browser.requestedUrls());
      }
    }

    /** Waits until every sighting was seen, or {@code atMost} has passed; then what was seen by then. */
    Watched result(Duration atMost) throws Exception {
      try {
        return watched.get(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        stopped.set(true);
        return watched.get(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }

    @Override
    public void close() {
      stopped.set(true);
      thread.shutdown();
      try {
        // Chromium and chromedriver quit before the test ends.
        thread.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Asks whichever of the two instances owns 'shop' now. */
  private record Owner(Http first, Http second) {

    HttpResponse<String> get(String path) {
      return instance().get(path);
    }

    Http instance() {
      for (Http instance : List.of(first, second)) {
        try {
          if (new JsonObject(instance.get("/api/v1/targets/shop").body()).getBoolean("ownedHere")) {
            return instance;
          }
        } catch (UncheckedIOException e) {
          // stopped by the demo's failover
        }
      }
      throw new UncheckedIOException(new IOException("no instance owns 'shop' now"));
    }
  }

  private static boolean cancelled(String metrics) {
    return Http.sample(metrics,
        "pgvigil_abort_actions_total{action=\"cancel\",result=\"cancelled\",target=\"shop\"}") >= 1.0;
  }

  private static int port(JarProcess demo, Pattern instance) {
    Matcher m = instance.matcher(demo.output());
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(2));
  }
}
