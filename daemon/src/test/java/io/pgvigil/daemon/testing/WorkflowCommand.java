package io.pgvigil.daemon.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GitHub Actions workflow command read as the runner reads it (actions/runner, ActionCommand.TryParseV2:
 * {@code ::name key=value,key=value::data}, properties split on {@code ,} then on the first {@code =}), strictly: the
 * names are known, every value is escaped exactly as actions/toolkit's core escapes it (command.ts), no more, no less.
 */
public record WorkflowCommand(String name, Map<String, String> properties, String message) {

  public static WorkflowCommand parse(String line) {
    assertThat(line).startsWith("::").doesNotContain("\r", "\n");
    int end = line.indexOf("::", 2);
    assertThat(end).as("the '::' that ends the command in %s", line).isPositive();
    String info = line.substring(2, end);
    int space = info.indexOf(' ');
    String name = space < 0 ? info : info.substring(0, space);
    assertThat(name).isIn("error", "warning", "notice");
    Map<String, String> properties = new LinkedHashMap<>();
    if (space >= 0) {
      for (String pair : info.substring(space + 1).split(",", -1)) {
        String[] kv = pair.split("=", 2);
        assertThat(kv).as("key=value in %s", line).hasSize(2);
        assertThat(kv[0]).isIn("title", "file", "line", "endLine", "col", "endColumn");
        String value = unescape(kv[1], true);
        assertThat(escape(value, true)).as("the escaping of %s", kv[1]).isEqualTo(kv[1]);
        assertThat(properties.put(kv[0], value)).as("%s given twice", kv[0]).isNull();
      }
    }
    String escaped = line.substring(end + 2);
    String message = unescape(escaped, false);
    assertThat(escape(message, false)).as("the escaping of the message").isEqualTo(escaped);
    return new WorkflowCommand(name, properties, message);
  }

  private static String escape(String value, boolean property) {
    String data = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    return property ? data.replace(":", "%3A").replace(",", "%2C") : data;
  }

  private static String unescape(String value, boolean property) {
    String data = value.replace("%0D", "\r").replace("%0A", "\n");
    if (property) {
      data = data.replace("%3A", ":").replace("%2C", ",");
    }
    return data.replace("%25", "%");
  }
}
