package io.pgvigil.alerts;

import io.vertx.core.Future;

/**
 * A kill-switch hook: run when the daemon acts on a migration. Never fails its future; a problem is a {@link
 * HookResult#failed} so the caller logs and counts it the same way every time.
 */
public sealed interface Hook permits ExecHook, WebhookHook {

  Future<HookResult> run(HookEvent event);
}
