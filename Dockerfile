# syntax=docker/dockerfile:1
# Build: docker build -t herald .
# Run:   docker run -p 8080:8080 -e REVERB_APP_ID=... -e REVERB_APP_KEY=... -e REVERB_APP_SECRET=... herald

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY .mvn .mvn
COPY server/pom.xml server/pom.xml
COPY protocol-tests/pom.xml protocol-tests/pom.xml
RUN mvn -B -ntp -q -pl server dependency:go-offline
COPY server server
COPY examples examples
RUN mvn -B -ntp -q -pl server package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /opt/herald herald
WORKDIR /opt/herald
COPY --from=build /src/server/target/herald.jar herald.jar
COPY config/herald.example.yaml config/herald.example.yaml
USER herald
ENV REVERB_SERVER_HOST=0.0.0.0 REVERB_SERVER_PORT=8080
EXPOSE 8080
# A JVM-based probe: the JRE image has no curl. It reads REVERB_SERVER_PORT like the server.
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-Xss256k", "-cp", "herald.jar", "dev.herald.HealthCheck"]
# SIGTERM drains: clients get 4200 spread over HERALD_DRAIN_SECONDS (5) and reconnect elsewhere;
# give the container at least twice that to stop (docker stop -t 15).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "herald.jar"]
