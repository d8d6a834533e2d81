# The build stage's image for helm/Dockerfile where no registry is reachable: Debian's Maven and
# OpenJDK 17 on a debootstrap base, a stand-in for maven:3.9-eclipse-temurin-17. Built by
# .ci/image-from-source on bookworm (Maven 3.8.7, OpenJDK 17; trixie has only OpenJDK 21, which
# would also build the project's --release 17).
# ca-certificates/ holds the host's local CA certificates (.crt, maybe none), so that Maven in the
# build stage trusts what the host trusts (the CA of a TLS-inspecting proxy, say):
# update-ca-certificates adds them to the JDK's cacerts too (ca-certificates-java's hook).
ARG BASE=pgvigil-ci/debian:bookworm
FROM ${BASE}
ARG JDK_PACKAGE=openjdk-17-jdk-headless
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${JDK_PACKAGE} maven ca-certificates-java \
 && rm -rf /var/lib/apt/lists/*
COPY ca-certificates/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
