package io.pgvigil.daemon.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (Maven writes it), or "development" when run from classes. */
final class Version implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"pgvigil " + (version == null ? "development" : version)};
  }
}
