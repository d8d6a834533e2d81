package io.pgvigil.daemon.config;

import io.pgvigil.alerts.SecretValue;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where alerts go. Slack webhook URLs, PagerDuty routing keys and generic webhook URLs are
 * {@link SecretValue}s because whoever holds them can post as pgvigil.
 */
public record AlertsConfig(Optional<Slack> slack, Optional<PagerDuty> pagerduty,
                           List<Webhook> webhooks, Optional<Alertmanager> alertmanager) {

    public static final AlertsConfig NONE =
            new AlertsConfig(Optional.empty(), Optional.empty(), List.of(), Optional.empty());

    public AlertsConfig {
        Objects.requireNonNull(slack, "slack");
        Objects.requireNonNull(pagerduty, "pagerduty");
        webhooks = List.copyOf(webhooks);
        Objects.requireNonNull(alertmanager, "alertmanager");
    }

    public record Slack(SecretValue webhookUrl) {
        public Slack {
            Objects.requireNonNull(webhookUrl, "webhookUrl");
        }
    }

    public record PagerDuty(SecretValue routingKey) {
        public PagerDuty {
            Objects.requireNonNull(routingKey, "routingKey");
        }
    }

    /** A generic JSON webhook; {@code secret}, when set, signs each request body. */
    public record Webhook(SecretValue url, Optional<SecretValue> secret) {
        public Webhook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(secret, "secret");
        }
    }

    public record Alertmanager(URI url) {
        public Alertmanager {
            Objects.requireNonNull(url, "url");
        }
    }
}
