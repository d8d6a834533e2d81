package io.pgvigil.daemon.killswitch;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exec kill-switch hook that writes the {@code PGVIGIL_*} variables it was given to a file
 * (whole, through a rename, so a reader never sees half of it): what a hook is told, as it is told.
 */
final class HookEnvironment {

  private final Path script;
  private final Path written;

  HookEnvironment(Path dir) throws IOException {
    this.script = dir.resolve("record-hook-env.sh");
    this.written = dir.resolve("hook.env");
    Path partial = dir.resolve("hook.env.partial");
    Files.writeString(script, "#!/bin/sh\nenv | grep '^PGVIGIL_' | sort > '" + partial + "' && mv '" + partial
        + "' '" + written + "'\n");
    if (!script.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + script + " executable");
    }
  }

  /** The program to configure as {@code killSwitch.hooks: [{ exec: [...] }]}. */
  String command() {
    return script.toString();
  }

  /** The variables of the hook's run, once it has run. */
  Map<String, String> awaitRun(Duration atMost) throws IOException {
    await().atMost(atMost).until(() -> Files.exists(written));
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(written)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }
}
