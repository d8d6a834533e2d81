package io.pgvigil.checks;
