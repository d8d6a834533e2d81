package io.pgvigil.checks.history;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code git} command line says about a directory at a commit: the files it held and the files changed
 * since. The CLI rather than a Java implementation of git: it reads every repository layout CI checks out
 * (worktrees, shallow clones, alternates) exactly as the developer's git does. Blocking (a process).
 *
 * @param root the work tree's top directory, as git prints it
 */
record GitFiles(Path root, String ref) {

  private static final long TIMEOUT_SECONDS = 60;

  /** The work tree holding {@code directory}, after checking that {@code ref} names a commit there. */
  static GitFiles at(Path directory, String ref) throws HistoryException {
    if (ref.startsWith("-")) {
      // git would read it as an option (--output=..., say), not a commit.
      throw new HistoryException("--applied-from-git: '" + ref + "' is no commit (it starts with '-')");
    }
    String top = git(directory, "--applied-from-git " + ref + " needs the migrations in a git work tree, and "
        + MigrationFiles.describe(directory) + " is not in one", "rev-parse", "--show-toplevel").strip();
    GitFiles files = new GitFiles(Path.of(top), ref);
    git(files.root, "--applied-from-git: git knows no commit '" + ref + "' in " + top
        + " (a shallow CI checkout has no history: fetch it, e.g. actions/checkout with fetch-depth: 0)",
        "rev-parse", "--verify", "--quiet", ref + "^{commit}");
    return files;
  }

  /** The files under {@code directory} at the commit, relative to {@code directory}, with forward slashes. */
  Set<String> filesAt(Path directory) throws HistoryException {
    String prefix = relative(directory);
    return below(prefix, git(root, "cannot list " + prefix + " at " + ref, "ls-tree", "-r", "-z", "--name-only",
        ref, "--", prefix.isEmpty() ? "." : prefix));
  }

  /** The files under {@code directory} that differ between the commit and the work tree, relative to it. */
  Set<String> changedSince(Path directory) throws HistoryException {
    String prefix = relative(directory);
    return below(prefix, git(root, "cannot compare " + prefix + " with " + ref, "diff", "-z", "--name-only", ref,
        "--", prefix.isEmpty() ? "." : prefix));
  }

  /** The directory relative to the work tree's top, with forward slashes; both sides with symbolic links resolved. */
  private String relative(Path directory) throws HistoryException {
    try {
      Path real = directory.toRealPath();
      Path top = root.toRealPath();
      if (!real.startsWith(top)) {
        throw new HistoryException("--applied-from-git: " + MigrationFiles.describe(directory)
            + " is not in the git work tree " + root);
      }
      return top.relativize(real).toString().replace('\\', '/');
    } catch (IOException e) {
      throw new HistoryException("--applied-from-git: cannot resolve " + MigrationFiles.describe(directory) + ": "
          + e.getMessage(), e);
    }
  }

  /** git prints paths relative to the top; these are made relative to {@code prefix}. */
  private static Set<String> below(String prefix, String zeroSeparated) {
    Set<String> files = new LinkedHashSet<>();
    for (String path : zeroSeparated.split("\0")) {
      if (path.isEmpty()) {
        continue;
      }
      files.add(prefix.isEmpty() ? path : path.startsWith(prefix + "/") ? path.substring(prefix.length() + 1) : path);
    }
    return files;
  }

  /** Runs git in {@code directory}; a failure is {@code problem} with git's own first line. */
  private static String git(Path directory, String problem, String... args) throws HistoryException {
    List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
    command.addAll(List.of(args));
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      // To files, not pipes: reading a pipe blocks until git ends, so the timeout could never fire.
      out = Files.createTempFile("pgvigil-git-", ".out");
      err = Files.createTempFile("pgvigil-git-", ".err");
      try {
        process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      } catch (IOException e) {
        throw new HistoryException("--applied-from-git needs the git command, which cannot be run here: "
            + e.getMessage(), e);
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new HistoryException(problem + ": git did not answer within " + TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        String message = Files.readString(err, StandardCharsets.UTF_8).strip();
        throw new HistoryException(
            problem + (message.isEmpty() ? "" : " (git: " + HistoryDatabase.firstLine(message) + ")"));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new HistoryException(problem + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new HistoryException(problem + ": interrupted", e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // a temp file left behind
    }
  }
}
