package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.common.SecretValue;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {

  @TempDir
  Path dir;

  private static final HookEvent EVENT = new HookEvent("app", "lockWait", "cancel",
      Severity.CRITICAL, "7.2s", "5s", "w-42", List.of(101, 202), "ALTER waits; it's stuck",
      Instant.parse("2025-03-01T12:00:00Z"));

  private Path script(String body) throws Exception {
    assumeThat(Path.of("/bin/sh")).exists();
    Path script = dir.resolve("hook.sh");
    Files.writeString(script, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  @Test
  void execHookPassesTheEventInPgvigilVariablesAndNothingElseOfTheDaemon() throws Exception {
    Path env = dir.resolve("env.txt");
    Path script = script("env > \"$1\"\necho done\n");
    try (Fixture fx = new Fixture()) {
      HookResult result = await(new ExecHook(fx.vertx, List.of(script.toString(),
          env.toString()), Duration.ofSeconds(10)).run(EVENT));
      assertThat(result).isEqualTo(HookResult.ok("done"));
    }
    Map<String, String> seen = Files.readAllLines(env).stream().filter(l -> l.contains("="))
        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')),
            l -> l.substring(l.indexOf('=') + 1), (a, b) -> a));
    assertThat(seen).containsEntry("PGVIGIL_TARGET", "app")
        .containsEntry("PGVIGIL_RULE", "lockWait")
        .containsEntry("PGVIGIL_ACTION", "cancel")
        .containsEntry("PGVIGIL_SEVERITY", "critical")
        .containsEntry("PGVIGIL_VALUE", "7.2s")
        .containsEntry("PGVIGIL_THRESHOLD", "5s")
        .containsEntry("PGVIGIL_WINDOW_ID", "w-42")
        .containsEntry("PGVIGIL_PIDS", "101,202")
        .containsEntry("PGVIGIL_SUMMARY", "ALTER waits; it's stuck")
        .containsEntry("PGVIGIL_AT", "2025-03-01T12:00:00Z");
    // only the PGVIGIL_* variables and a few harmless ones; sh itself adds PWD, SHLVL, _
    assertThat(seen.keySet()).allMatch(k -> k.startsWith("PGVIGIL_")
        || List.of("PATH", "LANG", "HOME", "TZ", "PWD", "SHLVL", "_", "OLDPWD").contains(k));
  }

  @Test
  void execHookReportsFailureAndKillsACommandPastItsTimeout() throws Exception {
    try (Fixture fx = new Fixture()) {
      HookResult failed = await(new ExecHook(fx.vertx,
          List.of(script("echo nope >&2\nexit 3\n").toString()), Duration.ofSeconds(10))
          .run(EVENT));
      assertThat(failed.ok()).isFalse();
      assertThat(failed.message()).endsWith("exited 3: nope");

      HookResult slow = await(new ExecHook(fx.vertx, List.of("sleep", "30"),
          Duration.ofMillis(300)).run(EVENT));
      assertThat(slow.ok()).isFalse();
      assertThat(slow.message()).contains("timed out");

      HookResult missing = await(new ExecHook(fx.vertx,
          List.of(dir.resolve("missing").toString()), Duration.ofSeconds(1)).run(EVENT));
      assertThat(missing.ok()).isFalse();
    }
  }

  @Test
  void webhookHookPostsTheEventAsJson() throws Exception {
    try (Fixture fx = new Fixture();
        Receiver receiver = Receiver.start(fx.vertx, fx.clock, r -> Receiver.Answer.of(200,
            "{}"))) {
      HookResult result = await(new WebhookHook(fx.client,
          SecretValue.of(receiver.url() + "/abort"), Duration.ofSeconds(2)).run(EVENT));
      assertThat(result.ok()).isTrue();
      Receiver.Request req = receiver.requests().get(0);
      JsonObject body = req.json();
      assertThat(body.getString("event")).isEqualTo("kill-switch");
      assertThat(body.getString("windowId")).isEqualTo("w-42");
      assertThat(body.getJsonArray("pids").getList()).containsExactly(101, 202);

      receiver.answer(r -> Receiver.Answer.of(500, "{}"));
      HookResult failed = await(new WebhookHook(fx.client,
          SecretValue.of(receiver.url() + "/abort"), Duration.ofSeconds(2)).run(EVENT));
      assertThat(failed.ok()).isFalse();
      assertThat(receiver.requests().get(1).header("X-Pgvigil-Signature")).isNull();
    }
  }
}
