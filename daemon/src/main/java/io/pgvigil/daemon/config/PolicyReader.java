package io.pgvigil.daemon.config;

import io.pgvigil.alerts.SecretValue;
import io.pgvigil.daemon.config.KillSwitchConfig.Hook;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Reads what pgvigil does about what it sees: {@code rules:} and {@code killSwitch:} ({@code alerts:}: {@link AlertsReader}). */
final class PolicyReader {

    Rules readRules(ConfigNode rules) {
        if (!rules.mapping("rule", Rules.NAMES)) {
            return Rules.DEFAULT;
        }
        return new Rules(
                durationRule(rules.get(Rules.LOCK_WAIT), Rules.DEFAULT_LOCK_WAIT),
                threshold(rules.get(Rules.LOCK_QUEUE), Rules.DEFAULT_LOCK_QUEUE, ConfigNode::positiveInteger,
                        Object::toString),
                durationRule(rules.get(Rules.REPLICATION_LAG), Rules.DEFAULT_REPLICATION_LAG),
                durationRule(rules.get(Rules.DDL_RUNTIME), Rules.DEFAULT_DDL_RUNTIME),
                durationRule(rules.get(Rules.IDLE_IN_TRANSACTION), Rules.DEFAULT_IDLE_IN_TRANSACTION));
    }

    private static Threshold<Duration> durationRule(ConfigNode rule, Threshold<Duration> defaults) {
        return threshold(rule, defaults, ConfigNode::positiveDuration, Durations::format);
    }

    /** A rule present in the file replaces its default wholesale; see {@link Rules}. */
    private static <T extends Comparable<T>> Threshold<T> threshold(
            ConfigNode rule, Threshold<T> defaults, Function<ConfigNode, Optional<T>> level,
            Function<T, String> format) {
        if (!rule.mapping("warn", "abort", "for")) {
            return defaults;
        }
        ConfigNode warnNode = rule.get("warn");
        ConfigNode abortNode = rule.get("abort");
        Optional<T> warn = level.apply(warnNode);
        Optional<T> abort = level.apply(abortNode);
        Duration sustainedFor = rule.get("for").duration().orElse(Duration.ZERO);
        if (!warnNode.isPresent() && !abortNode.isPresent()) {
            rule.problem("needs warn, abort or both, e.g. { warn: " + example(defaults, format) + " }");
            return defaults;
        }
        if (warn.isPresent() && abort.isPresent() && abort.get().compareTo(warn.get()) < 0) {
            abortNode.problem("'" + format.apply(abort.get()) + "' is below warn '" + format.apply(warn.get())
                    + "'; abort must be greater than or equal to warn");
        }
        if (warn.isEmpty() && abort.isEmpty()) {
            return defaults; // both invalid and already reported
        }
        return new Threshold<>(warn, abort, sustainedFor);
    }

    private static <T extends Comparable<T>> String example(Threshold<T> defaults, Function<T, String> format) {
        return defaults.warn().or(defaults::abort).map(format).orElse("1");
    }

    KillSwitchConfig readKillSwitch(ConfigNode killSwitch) {
        if (!killSwitch.mapping("mode", "hooks")) {
            return KillSwitchConfig.DEFAULT;
        }
        KillSwitchConfig.Mode mode = killSwitch.get("mode").oneOf(KillSwitchConfig.Mode.spellings())
                .flatMap(KillSwitchConfig.Mode::fromYaml).orElse(KillSwitchConfig.Mode.DRY_RUN);
        List<Hook> hooks = new ArrayList<>();
        for (ConfigNode hook : killSwitch.get("hooks").list("[{ exec: [\"/hooks/abort-deploy.sh\"] }]")) {
            readHook(hook).ifPresent(hooks::add);
        }
        return new KillSwitchConfig(mode, hooks);
    }

    private Optional<Hook> readHook(ConfigNode hook) {
        if (!hook.isPresent()) {
            hook.problem("is empty; a hook needs exec or webhook");
            return Optional.empty();
        }
        if (!hook.mapping("exec", "webhook")) {
            return Optional.empty();
        }
        ConfigNode exec = hook.get("exec");
        ConfigNode webhook = hook.get("webhook");
        if (exec.isPresent() && webhook.isPresent()) {
            hook.problem("has both exec and webhook; a hook does one thing, so split it into two hooks");
            return Optional.empty();
        }
        if (exec.isPresent()) {
            if (exec.isEmptyList()) {
                exec.problem("is empty; give the program and its arguments, e.g. [\"/hooks/abort-deploy.sh\"]");
                return Optional.empty();
            }
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
        if (!node.require("give an http(s) URL such as " + example)) {
            return Optional.empty();
        }
        Optional<SecretValue> secret = node.secret("an http(s) URL such as " + example);
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
