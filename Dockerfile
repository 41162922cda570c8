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
RUN mvn -B -ntp -q -pl server package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /opt/herald herald
WORKDIR /opt/herald
COPY --from=build /src/server/target/herald.jar herald.jar
COPY config/herald.example.yaml config/herald.example.yaml
USER herald
ENV REVERB_SERVER_HOST=0.0.0.0 REVERB_SERVER_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -qO- http://127.0.0.1:8080/up >/dev/null 2>&1 || curl -fsS http://127.0.0.1:8080/up >/dev/null || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "herald.jar"]
