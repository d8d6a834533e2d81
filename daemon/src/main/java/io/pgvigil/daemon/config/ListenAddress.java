package io.pgvigil.daemon.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code server.listen}'s syntax: {@code host:port}, {@code [ipv6]:port}, or an unbracketed IPv6 literal. */
record ListenAddress(String host, int port) {

  private static final Pattern BRACKETED = Pattern.compile("\\[([^\\[\\]]+)]:(\\d{1,5})");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

  static Optional<ListenAddress> parse(String text) {
    String value = text.trim();
    Matcher bracketed = BRACKETED.matcher(value);
    if (bracketed.matches()) {
      return ipv6Literal(bracketed.group(1)) ? address(bracketed.group(1), bracketed.group(2)) : Optional.empty();
    }
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String host = value.substring(0, colon);
    boolean valid = host.contains(":") ? ipv6Literal(host) : HOST_NAME.matcher(host).matches();
    return valid ? address(host, value.substring(colon + 1)) : Optional.empty();
  }

  private static Optional<ListenAddress> address(String host, String port) {
    boolean valid = PORT.matcher(port).matches() && Integer.parseInt(port) <= 65535;
    return valid ? Optional.of(new ListenAddress(host, Integer.parseInt(port))) : Optional.empty();
  }

  /** Text with a colon is taken by InetAddress as an IPv6 literal, never looked up in DNS. */
  private static boolean ipv6Literal(String host) {
    if (!host.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
