# The Java runtime the pgvigil image runs on in CI: Debian's OpenJDK on a debootstrap base, a
# stand-in for eclipse-temurin:17-jre where no registry is reachable. Built by .ci/images: by
# default OpenJDK 21 on trixie (trixie has no 17; 21 runs pgvigil's Java 17 bytecode), with --all
# also OpenJDK 17 on bookworm.
ARG BASE=pgvigil-ci/debian:trixie
FROM ${BASE}
ARG JRE_PACKAGE=openjdk-21-jre-headless
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${JRE_PACKAGE} \
 && rm -rf /var/lib/apt/lists/*
