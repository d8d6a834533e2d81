package io.pgvigil.checks.replication;

import java.time.OffsetDateTime;

/**
 * One row of {@code pg_replication_slots}.
 *
 * @param database           the database of a logical slot, null for a physical one
 * @param retainedBytes      WAL the slot keeps: {@code pg_wal_lsn_diff(current, restart_lsn)}; null when the slot
 *                           reserves no WAL ({@code restart_lsn} is NULL: created without reserving, or lost)
 * @param walStatus          reserved, extended, unreserved or lost (PostgreSQL 13+)
 * @param safeWalSize        bytes that can still be written before the slot is in danger of losing WAL; null
 *                           when {@code max_slot_wal_keep_size = -1} or the slot is lost
 * @param inactiveSince      when the slot became inactive (PostgreSQL 17+, null before)
 * @param invalidationReason why the slot was invalidated (PostgreSQL 17+, null before)
 */
public record ReplicationSlot(String name, String type, String database, boolean active, Integer activePid,
    Long retainedBytes, String walStatus, Long safeWalSize, OffsetDateTime inactiveSince, String invalidationReason) {}
