package io.pgvigil.daemon.drift;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the next migration goes, named the way the history names its own. Flyway: the version after the highest one in
 * the locations and the history, its last part counted up in the same style ({@code V12} → {@code V13}, {@code V012}
 * → {@code V013}, {@code V1.2.9} → {@code V1.2.10}, {@code V1_2} → {@code V1_3}, a timestamp plus one). Prisma: a new
 * folder {@code YYYYMMDDHHMMSS_<name>}, after the latest one.
 */
public final class NextMigration {

  /** Flyway's versioned SQL file: V, the version (dots or underscores), two underscores. */
  private static final Pattern FLYWAY = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.*\\.sql");
  private static final Pattern PRISMA = Pattern.compile("(\\d{14})_.+");
  private static final DateTimeFormatter PRISMA_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  private NextMigration() {}

  /** @param scripts file names (a path's last part is taken) of the migrations there are, applied or not */
  public static String flywayFile(Collection<String> scripts, String name) {
    String highest = null;
    for (String script : scripts) {
      Matcher m = FLYWAY.matcher(Path.of(script).getFileName().toString());
      if (m.matches() && (highest == null || compare(m.group(1), highest) > 0)) {
        highest = m.group(1);
      }
    }
    return "V" + (highest == null ? "1" : increment(highest)) + "__" + name + ".sql";
  }

  /** The file names under the Flyway locations, recursively, as Flyway finds them. */
  public static List<String> flywayScripts(List<Path> locations) throws IOException {
    List<String> names = new ArrayList<>();
    for (Path location : locations) {
      if (Files.isDirectory(location)) {
        try (Stream<Path> walk = Files.walk(location)) {
          walk.filter(Files::isRegularFile).forEach(file -> names.add(file.getFileName().toString()));
        }
      }
    }
    return names;
  }

  /** A new Prisma migration folder: now, or one second after the latest folder if that is later. */
  public static String prismaFolder(Path directory, String name, Instant now) throws IOException {
    return prismaFolder(directory, name, now, null);
  }

  /** @param planned a folder about to be made (null for none), which the new one must follow too */
  public static String prismaFolder(Path directory, String name, Instant now, String planned) throws IOException {
    String stamp = PRISMA_STAMP.format(now);
    Optional<String> latest;
    try (Stream<Path> folders = Files.list(directory)) {
      latest = Stream.concat(folders.filter(Files::isDirectory).map(p -> p.getFileName().toString()),
          Stream.ofNullable(planned)).map(PRISMA::matcher).filter(Matcher::matches).map(m -> m.group(1))
          .max(String::compareTo);
    }
    if (latest.isPresent() && latest.get().compareTo(stamp) >= 0) {
      stamp = new BigInteger(latest.get()).add(BigInteger.ONE).toString();
    }
    return stamp + "_" + name;
  }

  /** Versions compared as Flyway does: part by part as numbers, missing parts as 0. */
  static int compare(String a, String b) {
    String[] left = a.split("[._]");
    String[] right = b.split("[._]");
    for (int i = 0; i < Math.max(left.length, right.length); i++) {
      BigInteger l = i < left.length ? new BigInteger(left[i]) : BigInteger.ZERO;
      BigInteger r = i < right.length ? new BigInteger(right[i]) : BigInteger.ZERO;
      int c = l.compareTo(r);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** The last number plus one, as wide as it was (zero-padded where it was), separators kept. */
  static String increment(String version) {
    Matcher last = Pattern.compile("(\\d+)$").matcher(version);
    if (!last.find()) {
      throw new IllegalArgumentException("not a version: " + version);
    }
    String digits = last.group(1);
    String next = new BigInteger(digits).add(BigInteger.ONE).toString();
    if (digits.startsWith("0") && next.length() < digits.length()) {
      next = "0".repeat(digits.length() - next.length()) + next;
    }
    return version.substring(0, last.start()) + next;
  }
}
