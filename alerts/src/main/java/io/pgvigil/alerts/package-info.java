/**
 * Alert model and lifecycle ({@link io.pgvigil.alerts.AlertEngine}), delivery to Slack, PagerDuty, generic webhooks and
 * Alertmanager through a {@link io.pgvigil.alerts.DeliveryQueue} backed by an on-disk {@link io.pgvigil.alerts.Spool},
 * and the kill-switch hooks ({@link io.pgvigil.alerts.ExecHook}, {@link io.pgvigil.alerts.WebhookHook}).
 *
 * <p>This module never imports {@code checks} or {@code daemon}: the daemon maps drift findings, lock/lag conditions
 * and kill-switch actions to {@link io.pgvigil.alerts.Alert}s. Other modules use this package only; {@code
 * io.pgvigil.alerts.internal} is the module's own.
 */
package io.pgvigil.alerts;
