package io.pgvigil.daemon.config;

import java.util.regex.Pattern;

/** A URL as pgvigil may print it: without the {@code user:password@} part, which is a credential. */
public final class PrintableUrl {

  /** Up to the last '@' of the authority, so that a password with a raw '@' in it goes whole. */
  private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#]*@");

  private PrintableUrl() {
  }

  public static String of(String url) {
    return USER_INFO.matcher(url).replaceFirst("");
  }
}
