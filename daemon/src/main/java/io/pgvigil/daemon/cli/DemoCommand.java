package io.pgvigil.daemon.cli;

import io.pgvigil.checks.embedded.FileTrees;
import io.pgvigil.daemon.demo.Demo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Starts an embedded PostgreSQL primary and a streaming replica, applies a sample "
            + "shop schema with Flyway, and runs two pgvigil instances against it on 127.0.0.1, in one cluster: "
            + "one owns the target, and after about 45 s the demo stops it and the other takes over.",
        "Ports: instance a's HTTP port is --port, instance b's the next one (both free ones with --port 0); "
            + "the cluster (Hazelcast) takes two free ports on 127.0.0.1, the event bus one free port each; "
            + "PostgreSQL takes free ports too.",
        "Needs no config, no Docker and nothing installed. Ctrl-C stops everything and removes what the demo created "
            + "(the unpacked PostgreSQL binaries stay in the cache directory for the next run).",
        "Alerts are printed on the console; with SLACK_WEBHOOK_URL or PD_ROUTING_KEY set in "
            + "the environment they go to Slack or PagerDuty instead."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped with Ctrl-C or SIGTERM", "1:the demo could not start"})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "8080", paramLabel = "N",
      description = "HTTP port of instance a on 127.0.0.1; instance b takes the next one "
          + "(default: ${DEFAULT-VALUE}; 0 picks free ones).")
  int port;

  @Option(names = "--pg-major", defaultValue = "17", paramLabel = "MAJOR",
      description = "PostgreSQL major version to run: 14 to 18 (default: ${DEFAULT-VALUE}).")
  int major;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Where PostgreSQL binaries are unpacked (default: $XDG_CACHE_HOME/pgvigil or ~/.cache/pgvigil).")
  Path cacheDir;

  @Mixin
  Console console;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = console.out();
    ShutdownSignal signal = new ShutdownSignal();
    Path work = Files.createTempDirectory("pgvigil-demo-");
    out.println("pgvigil demo: staging in " + work);
    out.flush();
    try (Demo demo = Demo.start(work, port, major, cacheDir(), System.getenv(), out)) {
      demo.printWelcome();
      String received = signal.received().await();
      out.println();
      out.println(received + " received: stopping both pgvigil instances, the replica and the primary ...");
      out.flush();
    } finally {
      FileTrees.deleteQuietly(work);
    }
    out.println("Stopped; removed " + work + ".");
    out.flush();
    return ExitCode.OK;
  }

  private Path cacheDir() {
    if (cacheDir != null) {
      return cacheDir;
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg);
    return base.resolve("pgvigil");
  }
}
