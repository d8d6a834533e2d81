package io.pgvigil.daemon.config;

import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.KillSwitchConfig.Hook;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads what pgvigil does about what it sees: {@code rules:} and {@code killSwitch:}. */
final class PolicyReader {

  static Rules readRules(ConfigNode rules) {
    List<String> keys = new ArrayList<>(RuleKind.NAMES);
    keys.add(Rules.ALWAYS);
    if (!rules.mapping("rule", keys)) {
      return Rules.DEFAULT;
    }
    Map<RuleKind, Threshold> inWindow = profile(rules);
    ConfigNode always = rules.get(Rules.ALWAYS);
    return new Rules(inWindow, always.mapping("rule", RuleKind.NAMES) ? profile(always) : Map.of());
  }

  /** The rules a profile gives; a rule it does not mention is absent (and takes its default). */
  private static Map<RuleKind, Threshold> profile(ConfigNode profile) {
    Map<RuleKind, Threshold> given = new EnumMap<>(RuleKind.class);
    for (RuleKind kind : RuleKind.values()) {
      threshold(profile.get(kind.yaml()), kind).ifPresent(t -> given.put(kind, t));
    }
    return given;
  }

  /** A rule present in the file replaces its default wholesale; see {@link Rules}. */
  private static Optional<Threshold> threshold(ConfigNode rule, RuleKind kind) {
    if (!rule.mapping("warn", "abort", "for")) {
      return Optional.empty();
    }
    ConfigNode abortNode = rule.get("abort");
    Optional<Double> warn = level(rule.get("warn"), kind.unit());
    Optional<Double> abort = level(abortNode, kind.unit());
    Duration sustainedFor = rule.get("for").duration().orElse(Duration.ZERO);
    if (!rule.get("warn").isPresent() && !abortNode.isPresent()) {
      rule.problem("needs warn, abort or both, e.g. { warn: " + example(kind) + " }");
      return Optional.empty();
    }
    if (warn.isPresent() && abort.isPresent() && abort.get() < warn.get()) {
      abortNode.problem("'" + kind.unit().asWritten(abort.get()) + "' is below warn '"
          + kind.unit().asWritten(warn.get()) + "'; abort must be greater than or equal to warn");
    }
    if (warn.isEmpty() && abort.isEmpty()) {
      return Optional.empty(); // both invalid and already reported
    }
    return Optional.of(new Threshold(warn, abort, sustainedFor));
  }

  private static Optional<Double> level(ConfigNode node, Unit unit) {
    return switch (unit) {
      case SECONDS -> node.positiveDuration().map(d -> d.toNanos() / 1e9);
      case BYTES -> node.positiveBytes().map(Long::doubleValue);
      case COUNT -> node.positiveInteger().map(Integer::doubleValue);
    };
  }

  private static String example(RuleKind kind) {
    Threshold defaults = kind.defaults();
    return kind.unit().asWritten(defaults.warn().or(defaults::abort).orElse(1.0));
  }

  static KillSwitchConfig readKillSwitch(ConfigNode killSwitch) {
    if (!killSwitch.mapping("mode", "hooks", "terminate", "deadMan")) {
      return KillSwitchConfig.DEFAULT;
    }
    KillSwitchConfig.Mode mode = killSwitch.get("mode").oneOf(KillSwitchConfig.Mode.class)
        .orElse(KillSwitchConfig.Mode.DRY_RUN);
    List<Hook> hooks = killSwitch.get("hooks").list("[{ exec: [\"/hooks/abort-deploy.sh\"] }]")
        .stream().flatMap(hook -> readHook(hook).stream()).toList();
    KillSwitchConfig.Terminate terminate = KillSwitchConfig.Terminate.NONE;
    ConfigNode terminateNode = killSwitch.get("terminate");
    if (terminateNode.mapping("roles", "idleInTransactionAfter")) {
      terminate = new KillSwitchConfig.Terminate(terminateNode.get("roles").stringList("[app]"),
          terminateNode.get("idleInTransactionAfter").positiveDuration()
              .orElse(KillSwitchConfig.Terminate.DEFAULT_IDLE_IN_TRANSACTION_AFTER));
    }
    if (mode == KillSwitchConfig.Mode.CANCEL_AND_TERMINATE_BLOCKERS && terminate.roles().isEmpty()) {
      terminateNode.get("roles").problem("is needed by mode cancel-and-terminate-blockers: list the roles whose"
          + " idle-in-transaction sessions may be terminated, e.g. terminate: { roles: [app] }");
    }
    ConfigNode deadManNode = killSwitch.get("deadMan");
    Optional<Duration> deadMan = deadManNode.mapping("after") ? deadManNode.get("after")
        .required("give how long pgvigil may lose sight of a target in a window, e.g. after: 30s")
        .flatMap(ConfigNode::positiveDuration) : Optional.empty();
    return new KillSwitchConfig(mode, hooks, terminate, deadMan);
  }

  private static Optional<Hook> readHook(ConfigNode hook) {
    if (!hook.element("a hook needs exec or webhook", List.of("exec", "webhook"))) {
      return Optional.empty();
    }
    ConfigNode exec = hook.get("exec");
    ConfigNode webhook = hook.get("webhook");
    if (exec.isPresent() && webhook.isPresent()) {
      hook.problem("has both exec and webhook; a hook does one thing, so split it into two hooks");
      return Optional.empty();
    }
    if (exec.isPresent()) {
      exec.emptyList("give the program and its arguments, e.g. [\"/hooks/abort-deploy.sh\"]");
      List<String> command = exec.stringList("[\"/hooks/abort-deploy.sh\", \"--reason\", \"lock\"]");
      return command.isEmpty() ? Optional.empty() : Optional.of(new KillSwitchConfig.ExecHook(command));
    }
    if (webhook.isPresent()) {
      return secretUrl(webhook, "https://ci.example/abort").map(KillSwitchConfig.WebhookHook::new);
    }
    hook.problem("needs exec (a command list) or webhook (an http(s) URL)");
    return Optional.empty();
  }

  /** A required http(s) URL kept as a SecretValue; the message never quotes it, since URLs embed tokens. */
  static Optional<SecretValue> secretUrl(ConfigNode node, String example) {
    Optional<SecretValue> secret = node.required("give an http(s) URL such as " + example)
        .flatMap(n -> n.secret("an http(s) URL such as " + example));
    if (secret.isPresent() && httpUrl(secret.get().reveal()).isEmpty()) {
      node.problem("must be an http(s) URL such as " + example + " (the value is not shown: it may hold a token)");
      return Optional.empty();
    }
    return secret;
  }

  static Optional<URI> httpUrl(String text) {
    try {
      URI uri = new URI(text.trim());
      boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
      return http && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }
}
