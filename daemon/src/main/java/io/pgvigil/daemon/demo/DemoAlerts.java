package io.pgvigil.daemon.demo;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the demo's alerts go. Slack gets every alert and PagerDuty the critical ones, as a team would route them: to
 * the real services when {@code SLACK_WEBHOOK_URL} or {@code PD_ROUTING_KEY} is set, otherwise to a
 * {@link LocalAlertReceiver} that prints them on the console. The real webhook URL and routing key stay in the
 * environment: the config written for the demo refers to them as {@code ${env:…}} and the demo never prints them.
 */
final class DemoAlerts implements AutoCloseable {

  static final String SLACK_ENV = "SLACK_WEBHOOK_URL";
  static final String PAGERDUTY_ENV = "PD_ROUTING_KEY";

  private final Map<String, String> environment;
  private final LocalAlertReceiver local;

  private DemoAlerts(Map<String, String> environment, LocalAlertReceiver local) {
    this.environment = environment;
    this.local = local;
  }

  static DemoAlerts start(Map<String, String> env, PrintWriter out) throws Exception {
    Map<String, String> real = new HashMap<>();
    for (String name : new String[] {SLACK_ENV, PAGERDUTY_ENV}) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        real.put(name, value);
      }
    }
    LocalAlertReceiver local = real.size() == 2 ? null : LocalAlertReceiver.start(out);
    return new DemoAlerts(Map.copyOf(real), local);
  }

  Map<String, String> environment() {
    return environment;
  }

  String yaml(int apiPort) {
    String slack = environment.containsKey(SLACK_ENV) ? "\"${env:" + SLACK_ENV + "}\"" : "\"" + local.slackUrl() + "\"";
    String pagerduty = environment.containsKey(PAGERDUTY_ENV)
        ? "{ routingKey: \"${env:" + PAGERDUTY_ENV + "}\", severities: [critical] }"
        : "{ routingKey: demo, url: \"" + local.pagerDutyUrl() + "\", severities: [critical] }";
    return "alerts:\n"
        + (apiPort > 0 ? "  apiBaseUrl: http://127.0.0.1:" + apiPort + "   # links in the messages\n" : "")
        + "  slack: { webhookUrl: " + slack + " }\n"
        + "  pagerduty: " + pagerduty + "\n";
  }

  /** Where the alerts go, for people (never the URL or the key). */
  String description() {
    boolean slack = environment.containsKey(SLACK_ENV);
    boolean pagerduty = environment.containsKey(PAGERDUTY_ENV);
    if (!slack && !pagerduty) {
      return "Slack and PagerDuty (critical ones) printed here";
    }
    return (slack ? "Slack through your " + SLACK_ENV : "Slack printed here") + ", "
        + (pagerduty ? "PagerDuty (critical ones) through your " + PAGERDUTY_ENV
            : "PagerDuty (critical ones) printed here");
  }

  @Override
  public void close() throws Exception {
    if (local != null) {
      local.close();
    }
  }
}
