package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSettingsTest {
  @TempDir Path dir;

  private static HeraldConfig load(Map<String, String> env, String... args) {
    return LoadedConfig.load(env, args);
  }

  @Test
  void defaultsAreTenSecondsForARequestThreeMinutesOfKeepAliveAndNoCaps() {
    ConnectionSettings settings = load(Map.of()).server().connections();
    assertEquals(new ConnectionSettings(10, 180, 0, List.of(), 0), settings);
    assertEquals(ConnectionSettings.defaults(), settings);
  }

  @Test
  void readsEveryVariable() {
    ConnectionSettings settings =
        load(Map.of(
                "HERALD_REQUEST_TIMEOUT", "3",
                "HERALD_KEEP_ALIVE_TIMEOUT", "75",
                "HERALD_MAX_CONNECTIONS_PER_IP", "20",
                "HERALD_DNS_SERVERS", "127.0.0.53, 127.0.0.1:5353,[::1]:53",
                "HERALD_MAX_WEBSOCKET_MESSAGE_SIZE", "1048576"))
            .server()
            .connections();
    assertEquals(
        new ConnectionSettings(
            3, 75, 20, List.of("127.0.0.53", "127.0.0.1:5353", "[::1]:53"), 1_048_576),
        settings);
  }

  @Test
  void readsEveryFileKey() throws IOException {
    Path file = dir.resolve("herald.yaml");
    Files.writeString(
        file,
        """
        server:
          request_timeout: 5
          keep_alive_timeout: 120
          max_connections_per_ip: 50
          dns_servers: [10.0.0.2, "10.0.0.3:53"]
          max_websocket_message_size: 524288
        """);
    assertEquals(
        new ConnectionSettings(5, 120, 50, List.of("10.0.0.2", "10.0.0.3:53"), 524_288),
        load(Map.of(), "--config", file.toString()).server().connections());
  }

  @Test
  void aDnsServerGivenByNameIsRefused() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> load(Map.of("HERALD_DNS_SERVERS", "dns.example:53")));
    assertEquals(
        "env HERALD_DNS_SERVERS: \"dns.example:53\" is not an IP address with an optional port,"
            + " like 10.0.0.2 or 10.0.0.2:5353 ([::1]:53 for IPv6)",
        error.getMessage());
  }

  @Test
  void aWebSocketCeilingBelowAnAppsMaxMessageSizeIsRefused() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    Map.of(
                        "REVERB_APP_ID", "1",
                        "REVERB_APP_KEY", "k",
                        "REVERB_APP_SECRET", "s",
                        "REVERB_APP_MAX_MESSAGE_SIZE", "300000",
                        "HERALD_MAX_WEBSOCKET_MESSAGE_SIZE", "200000")));
    assertEquals(
        "env HERALD_MAX_WEBSOCKET_MESSAGE_SIZE: must be at least the largest app"
            + " max_message_size (300000)",
        error.getMessage());
  }

  @Test
  void theAutomaticCeilingIsTwiceTheLargestAppLimitAndAtLeast256KiB() {
    ConnectionSettings automatic = ConnectionSettings.defaults();
    assertEquals(256 * 1024, automatic.webSocketMessageCeiling(10_000));
    assertEquals(600_000, automatic.webSocketMessageCeiling(300_000));
    assertEquals(32 * 1024 * 1024, automatic.webSocketMessageCeiling(16 * 1024 * 1024));
    assertEquals(
        1_000_000,
        new ConnectionSettings(10, 180, 0, List.of(), 1_000_000).webSocketMessageCeiling(10_000));
  }
}
