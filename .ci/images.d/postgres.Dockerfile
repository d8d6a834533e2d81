# A PostgreSQL server from Debian's packages that behaves like the official postgres image as far
# as Testcontainers' PostgreSQLContainer cares: POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB and
# POSTGRES_HOST_AUTH_METHOD, port 5432 on all interfaces; but "database system is ready to accept
# connections" is logged once, not twice (no temporary server: see postgres-entrypoint), so wait
# for one occurrence. Built by .ci/images on a base made with debootstrap, because the test
# machines reach Debian's mirror but no image registry.
ARG BASE=pgvigil-ci/debian:bookworm
FROM ${BASE}
ARG PG_MAJOR=15
# No cluster from the package's postinst: the entrypoint makes one per container.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main.conf \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 700 /var/lib/postgresql/data
COPY postgres-entrypoint /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/${PG_MAJOR}/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER postgres
# The cluster every container starts from (superuser postgres); the entrypoint copies it.
RUN initdb -D /var/lib/postgresql/template -U postgres --auth-local=trust --encoding=UTF8 --no-locale \
    >/dev/null \
 && echo "listen_addresses = '*'" >> /var/lib/postgresql/template/postgresql.conf
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
