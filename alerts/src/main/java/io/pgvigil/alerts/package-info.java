package io.pgvigil.alerts;
