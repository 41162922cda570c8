package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the jar starts: the development app, Laravel env files, config files and bad configuration.
 */
class StartupTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private static JsonNode connectionData(RawClient client) throws IOException {
    JsonNode established = client.awaitJson();
    assertEquals("pusher:connection_established", established.get("event").asText());
    return MAPPER.readTree(established.get("data").asText());
  }

  @Test
  void withNoConfigurationServesAndPrintsTheDevelopmentApp() throws IOException {
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("REVERB_APP_ID", null)
            .env("REVERB_APP_KEY", null)
            .env("REVERB_APP_SECRET", null)
            .start()) {
      String output = herald.output();
      assertTrue(output.contains("REVERB_APP_ID=herald"), output);
      assertTrue(output.contains("REVERB_APP_KEY=herald-key"), output);
      assertTrue(output.contains("REVERB_APP_SECRET=herald-secret"), output);
      try (RawClient client = RawClient.connect(herald.wsUrl("herald-key"))) {
        assertTrue(connectionData(client).get("socket_id").asText().matches("\\d+\\.\\d+"));
      }
    }
  }

  /**
   * A Supervisor program written for {@code php artisan reverb:start --host=… --port=… --path=…
   * --hostname=… --debug} needs only its command changed: the same options, in Artisan's {@code
   * --name=value} spelling, set the listen address and mount path.
   */
  @Test
  void takesTheOptionsOfAReverbStartCommandLine() {
    int port = Ports.free();
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("REVERB_SERVER_PORT", Integer.toString(port))
            .args(
                "--host=127.0.0.1",
                "--port=" + port,
                "--path=/ws",
                "--hostname=localhost",
                "--debug")
            .start()) {
      String output = herald.output();
      assertTrue(output.contains("Herald listening on 127.0.0.1:" + port + "/ws"), output);
      try (RawClient client =
          RawClient.open(herald.wsBase() + "/ws/app/" + HeraldProcess.APP_KEY + "?protocol=7")) {
        client.subscribeOk("flags");
        new ApiClient(
                herald.httpBase() + "/ws",
                "/ws",
                HeraldProcess.APP_ID,
                HeraldProcess.APP_KEY,
                HeraldProcess.APP_SECRET)
            .trigger("flags", "e", "1");
        client.assertNext(Frames.event("flags", "e", "1"));
      }
    }
  }

  @Test
  void readsALaravelEnvFileAndTheProcessEnvironmentWins() throws IOException {
    Path env = dir.resolve(".env");
    Files.writeString(
        env,
        String.join(
            "\n",
            "APP_NAME=Laravel",
            "BROADCAST_CONNECTION=reverb",
            "REVERB_APP_ID=4242",
            "REVERB_APP_KEY=\"laravel-key\"",
            "REVERB_APP_SECRET=laravel-secret # comment",
            "REVERB_APP_ACTIVITY_TIMEOUT=10",
            "REVERB_HOST=\"localhost\"",
            "REVERB_PORT=8080",
            "REVERB_SCHEME=http",
            "VITE_REVERB_APP_KEY=\"${REVERB_APP_KEY}\"",
            // A Passport key spanning lines, and a line no dotenv reader takes: neither is
            // Herald's, and neither may stop it from starting.
            "PASSPORT_PRIVATE_KEY=\"-----BEGIN RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
            "-----END RSA PRIVATE KEY-----\"",
            "some leftover text",
            ""));
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("REVERB_APP_ID", null)
            .env("REVERB_APP_KEY", null)
            .env("REVERB_APP_SECRET", null)
            .env("REVERB_APP_ACTIVITY_TIMEOUT", "20")
            .args("--env-file", env.toString())
            .start()) {
      try (RawClient client = RawClient.connect(herald.wsUrl("laravel-key"))) {
        assertEquals(20, connectionData(client).get("activity_timeout").asInt());
      }
      ApiClient api = new ApiClient(herald.apiBase(), "", "4242", "laravel-key", "laravel-secret");
      assertEquals(200, api.get("/channels").status());
    }
  }

  @Test
  void servesEveryAppOfAYamlConfigFile() throws IOException {
    Path config = dir.resolve("herald.yaml");
    Files.writeString(
        config,
        """
        apps:
          - id: "1"
            key: first-key
            secret: first-secret
          - id: "2"
            key: second-key
            secret: second-secret
            activity_timeout: 45
        """);
    try (HeraldProcess herald =
        HeraldProcess.withDefaults()
            .env("REVERB_APP_ID", null)
            .env("REVERB_APP_KEY", null)
            .env("REVERB_APP_SECRET", null)
            .args("--config", config.toString())
            .start()) {
      try (RawClient first = RawClient.connect(herald.wsUrl("first-key"));
          RawClient second = RawClient.connect(herald.wsUrl("second-key"))) {
        assertEquals(30, connectionData(first).get("activity_timeout").asInt());
        assertEquals(45, connectionData(second).get("activity_timeout").asInt());
      }
    }
  }

  @Test
  void jsonLogsWithDebugLogEveryFrameInAndOutAsOneJsonObjectPerLine() throws Exception {
    try (HeraldProcess herald =
        HeraldProcess.withDefaults().args("--log-format", "json", "--debug").start()) {
      String socketId;
      try (RawClient client = RawClient.connect(herald.wsUrl())) {
        socketId = connectionData(client).get("socket_id").asText();
        client.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
        assertEquals("pusher:pong", client.awaitJson().get("event").asText());
      }
      String in = socketId + " -> {\"event\":\"pusher:ping\",\"data\":{}}";
      String out = socketId + " <- {\"event\":\"pusher:pong\",\"data\":\"{}\"}";
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      boolean sawIn = false;
      boolean sawOut = false;
      while (!(sawIn && sawOut) && System.nanoTime() < deadline) {
        sawIn = false;
        sawOut = false;
        for (String line : herald.output().split("\n")) {
          if (!line.startsWith("{")) {
            continue;
          }
          JsonNode record = MAPPER.readTree(line);
          assertTrue(record.has("time") && record.has("level") && record.has("logger"), line);
          String message = record.path("message").asText();
          sawIn |= message.equals(in);
          sawOut |= message.equals(out);
        }
        if (!(sawIn && sawOut)) {
          Thread.onSpinWait();
        }
      }
      assertTrue(sawIn && sawOut, herald.output());
      assertTrue(!herald.output().contains(HeraldProcess.APP_SECRET), "the secret is never logged");
    }
  }

  @Test
  void aBadVariableStopsTheServerNamingTheVariableAndTheReason() {
    HeraldProcess.Exit exit =
        HeraldProcess.withDefaults().env("REVERB_APP_MAX_CONNECTIONS", "lots").runExpectingExit();
    assertEquals(2, exit.code(), exit.output());
    assertTrue(
        exit.output()
            .contains(
                "herald: configuration error: env REVERB_APP_MAX_CONNECTIONS: must be a whole number, got \"lots\""),
        exit.output());
    assertTrue(!exit.output().contains("Exception"), exit.output());
  }

  @Test
  void aBadConfigFileStopsTheServerNamingTheFileAndKey() throws IOException {
    Path config = dir.resolve("broken.yaml");
    Files.writeString(
        config, "apps:\n  - id: a\n    key: k\n    secret: s\n    pong_timeout: -5\n");
    HeraldProcess.Exit exit =
        HeraldProcess.withDefaults().args("--config", config.toString()).runExpectingExit();
    assertEquals(2, exit.code(), exit.output());
    assertTrue(
        exit.output()
            .contains(config + ": apps[0].pong_timeout: must be between 1 and 3600, got -5"),
        exit.output());
  }

  @Test
  void aPortAlreadyInUseStopsTheServerWithExitCodeOne() throws IOException {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      HeraldProcess.Exit exit =
          HeraldProcess.withDefaults()
              .env("REVERB_SERVER_PORT", Integer.toString(taken.getLocalPort()))
              .runExpectingExit();
      assertEquals(1, exit.code(), exit.output());
      assertTrue(exit.output().contains("herald: cannot start on 127.0.0.1:"), exit.output());
    }
  }

  @Test
  void anUnreadableYamlFileIsReportedNotThrown() throws IOException {
    Path config = dir.resolve("garbage.yaml");
    Files.writeString(config, "apps: [unclosed\n");
    HeraldProcess.Exit exit =
        HeraldProcess.withDefaults().args("--config", config.toString()).runExpectingExit();
    assertEquals(2, exit.code(), exit.output());
    assertTrue(exit.output().contains(config + ": not valid YAML"), exit.output());
  }
}
