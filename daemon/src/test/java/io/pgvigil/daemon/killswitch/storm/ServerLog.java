package io.pgvigil.daemon.killswitch.storm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the PostgreSQL server log says happened, with {@code log_line_prefix = '%m [%p] '} and
 * {@code log_statement = 'all'} for pgvigil's role only: the lock polls and the signals pgvigil's
 * backend sent, in order, and the backends that died of {@code pg_terminate_backend}.
 */
final class ServerLog {

  private static final Pattern LINE = Pattern.compile("^\\S+ \\S+ \\S+ \\[(\\d+)\\] (\\w+):  (.*)$");
  private static final Pattern PARAMETER = Pattern.compile("\\$(\\d+) = '([^']*)'");
  static final String TERMINATED = "terminating connection due to administrator command";
  static final String CANCELLED = "canceling statement due to user request";

  /** A signal pgvigil sent, after its {@code poll}-th lock poll (0-based), with its parameters. */
  record Signal(String function, int poll, Map<Integer, String> parameters) {
    int pid() {
      return Integer.parseInt(parameters.get(1));
    }
  }

  final List<Signal> signals = new ArrayList<>();
  final List<Integer> terminated = new ArrayList<>();
  int polls;
  int cancelledStatements;

  static ServerLog parse(String text) {
    ServerLog log = new ServerLog();
    Map<Integer, String> executing = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue; // a statement's continuation line
      }
      int pid = Integer.parseInt(m.group(1));
      String level = m.group(2);
      String message = m.group(3);
      if (level.equals("LOG") && message.startsWith("execute ")) {
        String statement = message.substring(message.indexOf(": ") + 2);
        if (statement.startsWith("WITH here AS MATERIALIZED")) {
          log.polls++;
          executing.remove(pid);
        } else if (statement.startsWith("SELECT pg_terminate_backend")) {
          executing.put(pid, "pg_terminate_backend");
        } else if (statement.startsWith("SELECT pg_cancel_backend")) {
          executing.put(pid, "pg_cancel_backend");
        }
      } else if (level.equals("DETAIL") && message.toLowerCase(java.util.Locale.ROOT).startsWith("parameters: ")
          && executing.containsKey(pid)) {
        Map<Integer, String> parameters = new HashMap<>();
        Matcher p = PARAMETER.matcher(message);
        while (p.find()) {
          parameters.put(Integer.parseInt(p.group(1)), p.group(2));
        }
        log.signals.add(new Signal(executing.remove(pid), log.polls - 1, parameters));
      } else if (level.equals("FATAL") && message.equals(TERMINATED)) {
        log.terminated.add(pid);
      } else if (level.equals("ERROR") && message.equals(CANCELLED)) {
        log.cancelledStatements++;
      }
    }
    return log;
  }
}
