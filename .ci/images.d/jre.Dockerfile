# The Java 17 runtime the pgvigil image runs on in CI: Debian's OpenJDK on a debootstrap base, a
# stand-in for eclipse-temurin:17-jre where no registry is reachable. Built by .ci/images.
ARG BASE=pgvigil-ci/debian:bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
