# syntax=docker/dockerfile:1
# Build: docker build -t herald .
# Run:   docker run --rm -p 8080:8080 -v "$PWD/.env:/opt/herald/.env:ro" herald --env-file /opt/herald/.env
# Stop:  docker stop herald drains within docker's default 10 s (HERALD_DRAIN_SECONDS=5, no webhook
#        backlog); with a webhook backlog or a longer drain use docker stop -t 30 (see docs/operations.md).
#
# dist/.../DockerfileTest builds this file's build stage without Docker (a context holding only what
# .dockerignore admits, its RUN lines with Maven offline) and checks what the last stage copies.

# The JDK 17 and Maven that build the jar. Pinned: a rebuild months later uses the same toolchain.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# The whole tree (less what .dockerignore leaves out): a new module in pom.xml cannot be missing.
COPY . .
# -am builds the modules server needs (the parent) and no others; the cache mount keeps Maven's
# downloads between builds.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -q -pl server -am package -Dmaven.test.skip=true -Dspotless.check.skip=true

# A JRE (curl included, for the health check), pinned to one update of Temurin 17 on Ubuntu 24.04.
FROM eclipse-temurin:17.0.15_6-jre-noble
RUN useradd --system --uid 10001 --home-dir /opt/herald herald
WORKDIR /opt/herald
# The same layout as the herald-<version>-linux-x64 archive, without its runtime/: bin/herald then
# runs the image's Java with the archive's JVM defaults (heap 50 % and direct memory 25 % of the
# container's memory limit; see bin/herald).
COPY --from=build /src/server/target/herald.jar lib/herald.jar
COPY --chmod=755 dist/bin/herald bin/herald
COPY config/herald.example.yaml config/herald.example.json config/
USER herald
EXPOSE 8080
# No ENV for Herald's settings: the process environment wins over --env-file, so an image ENV
# (say REVERB_SERVER_PORT) would silently override the mounted Laravel .env. Herald's defaults are
# the usual container ones anyway (0.0.0.0:8080).
#
# The probe is curl, not a second JVM every 15 s. Herald writes the URL of its /up (scheme, port and
# path prefix as configured, from the environment, a mounted .env or a config file) to
# /tmp/herald-health-url once it serves; -k because the probe checks liveness, not the certificate.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsSk --max-time 4 -o /dev/null "$(cat /tmp/herald-health-url)" || exit 1
# SIGTERM drains: clients get close 4200 spread over HERALD_DRAIN_SECONDS (5) and reconnect elsewhere.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/herald/bin/herald", "--health-url-file", "/tmp/herald-health-url"]
