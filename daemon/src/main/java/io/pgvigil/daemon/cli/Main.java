package io.pgvigil.daemon.cli;
public class Main { public static void main(String[] a) {} }
