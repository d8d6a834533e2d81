package io.pgvigil.daemon.rules;

/** What a target's rules are evaluated from: each poll's verdicts replace that source's previous ones. */
public enum Source {
  LOCKS, REPLICATION
}
