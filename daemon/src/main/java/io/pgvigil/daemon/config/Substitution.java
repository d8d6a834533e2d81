package io.pgvigil.daemon.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Expands {@code ${env:NAME}} and {@code ${file:/path}} ({@code $${} is a literal); messages never quote values. */
final class Substitution {

  /** A secret is a password, a token or a URL: far smaller. The cap keeps a wrong path from filling the heap. */
  static final int MAX_FILE_BYTES = 1024 * 1024;
  // $${ is tried first; a ${ that matches neither of the first two has no closing brace.
  private static final Pattern REFERENCE = Pattern.compile("\\$\\$\\{|\\$\\{([^}]*)}|\\$\\{");

  private final Map<String, String> environment;
  private final Path baseDir;

  Substitution(Map<String, String> environment, Path baseDir) {
    this.environment = Map.copyOf(environment);
    this.baseDir = baseDir;
  }

  static final class SubstitutionException extends Exception {
    private static final long serialVersionUID = 1L;

    SubstitutionException(String message) {
      super(message);
    }
  }

  String expand(String text) throws SubstitutionException {
    Matcher reference = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (reference.find()) {
      if (reference.group().equals("${")) {
        throw new SubstitutionException(
            "has '${' without a closing '}'; write ${env:NAME} or ${file:/path}, or $${ for a literal ${");
      }
      String value = reference.group().equals("$${") ? "${" : resolve(reference.group(1));
      reference.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return reference.appendTail(out).toString();
  }

  private String resolve(String reference) throws SubstitutionException {
    int colon = reference.indexOf(':');
    String kind = colon < 0 ? reference : reference.substring(0, colon);
    String argument = colon < 0 ? "" : reference.substring(colon + 1);
    return switch (kind) {
      case "env" -> environmentVariable(argument);
      case "file" -> fileContent(argument);
      default -> throw new SubstitutionException("unknown substitution '${" + kind
          + (colon < 0 ? "" : ":…") + "}'; use ${env:NAME} or ${file:/path}, or $${ for a literal ${");
    };
  }

  private String environmentVariable(String name) throws SubstitutionException {
    if (name.isEmpty()) {
      throw new SubstitutionException("${env:} needs a variable name, as in ${env:PG_PASSWORD}");
    }
    String value = environment.get(name);
    if (value == null) {
      throw new SubstitutionException("environment variable " + name + " is not set");
    }
    return value;
  }

  private String fileContent(String name) throws SubstitutionException {
    if (name.isEmpty()) {
      throw new SubstitutionException("${file:} needs a path, as in ${file:/run/secrets/pg}");
    }
    Path file = baseDir.resolve(name);
    try {
      // A FIFO or a device (/dev/zero, /dev/stdin) never ends or blocks: a secret is a file.
      if (!Files.isRegularFile(file)) {
        throw new SubstitutionException(Files.exists(file)
            ? "file " + name + " is not a regular file; ${file:} reads secrets from plain files"
            : "file " + name + " does not exist");
      }
      // SecretValue files written by `echo` or editors end with a newline that is not part of the secret.
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(readAtMost(file, name))).toString()
          .replaceAll("[\\r\\n]+$", "");
    } catch (NoSuchFileException e) {
      throw new SubstitutionException("file " + name + " does not exist");
    } catch (AccessDeniedException e) {
      throw new SubstitutionException("file " + name + " is not readable by the pgvigil user");
    } catch (IOException e) {
      throw new SubstitutionException("file " + name + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Reads at most one byte past the limit: enough to tell a file is too large without reading it all. */
  private static byte[] readAtMost(Path file, String name) throws IOException, SubstitutionException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
      if (content.length > MAX_FILE_BYTES) {
        throw new SubstitutionException("file " + name + " is larger than 1 MiB; ${file:} is for secrets "
            + "such as a password or a token, give the file that holds only that");
      }
      return content;
    }
  }
}
