package dev.herald.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BroadcastSettingsReaderTest {
  @TempDir Path dir;

  private Path env(String text) throws IOException {
    return Files.writeString(dir.resolve(".env"), text);
  }

  @Test
  void readsALaravelReverbEnvWithQuotesAndReferences() throws IOException {
    Path file =
        env(
            """
            APP_URL=https://shop.test
            BROADCAST_CONNECTION=reverb
            REVERB_APP_ID=1001
            REVERB_APP_KEY="my key"
            REVERB_APP_SECRET='s3cr#t'
            REVERB_HOST="ws.shop.test"
            REVERB_PORT=443 # the proxy
            export REVERB_SCHEME=HTTPS
            VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"
            VITE_REVERB_HOST="${REVERB_HOST}"
            VITE_REVERB_PORT="${REVERB_PORT}"
            VITE_REVERB_SCHEME="${REVERB_SCHEME}"
            """);
    BroadcastSettings s = BroadcastSettingsReader.read(file, Map.of());
    assertEquals("reverb", s.driver());
    assertEquals("BROADCAST_CONNECTION", s.driverVariable());
    assertEquals("REVERB", s.prefix());
    assertEquals("1001", s.appId());
    assertEquals("my key", s.key());
    assertEquals("s3cr#t", s.secret());
    assertEquals("ws.shop.test", s.host());
    assertEquals("443", s.port());
    assertFalse(s.portDefaulted());
    assertEquals("https", s.scheme());
    assertEquals("my key", s.viteKey());
    assertEquals("ws.shop.test", s.viteHost());
    assertEquals("443", s.vitePort());
    assertEquals("https", s.viteScheme());
    assertEquals("https://shop.test", s.appUrl());
  }

  @Test
  void theProcessEnvironmentWinsOverTheFileAsInLaravel() throws IOException {
    Path file =
        env(
            """
            REVERB_APP_KEY=file-key
            REVERB_PORT=8080
            VITE_REVERB_PORT="${REVERB_PORT}"
            """);
    BroadcastSettings s =
        BroadcastSettingsReader.read(
            file, Map.of("REVERB_PORT", "6001", "REVERB_APP_KEY", "env-key"));
    assertEquals("6001", s.port());
    assertEquals("env-key", s.key());
    // phpdotenv resolves ${REVERB_PORT} against the already-set environment variable too.
    assertEquals("6001", s.vitePort());
  }

  @Test
  void appliesLaravelsDefaultsForAMissingPortAndScheme() throws IOException {
    BroadcastSettings s =
        BroadcastSettingsReader.read(
            env("REVERB_APP_KEY=k\nREVERB_HOST=ws.test\nREVERB_PORT=\n"), Map.of());
    assertEquals("443", s.port());
    assertTrue(s.portDefaulted());
    assertEquals("https", s.scheme());
    assertTrue(s.schemeDefaulted());
    assertNull(s.driver());
  }

  @Test
  void readsBroadcastDriverFromOlderLaravelAndThePusherFamily() throws IOException {
    Path file =
        env(
            """
            BROADCAST_DRIVER=pusher
            PUSHER_APP_ID=7
            PUSHER_APP_KEY=pk
            PUSHER_APP_SECRET=ps
            PUSHER_HOST=127.0.0.1
            PUSHER_PORT=6001
            PUSHER_SCHEME=http
            VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
            REVERB_APP_KEY=not-this-one
            """);
    BroadcastSettings s = BroadcastSettingsReader.read(file, Map.of());
    assertEquals("BROADCAST_DRIVER", s.driverVariable());
    assertEquals("PUSHER", s.prefix());
    assertEquals("PUSHER_APP_KEY", s.variable("APP_KEY"));
    assertEquals("pk", s.key());
    assertEquals("pk", s.viteKey());
    assertEquals("6001", s.port());
  }

  @Test
  void pusherWithoutAHostMeansPushersOwnClusterHost() throws IOException {
    BroadcastSettings s =
        BroadcastSettingsReader.read(
            env("BROADCAST_CONNECTION=pusher\nPUSHER_APP_KEY=k\nPUSHER_APP_CLUSTER=eu\n"),
            Map.of());
    assertEquals("api-eu.pusher.com", s.host());
  }

  @Test
  void readsTheProcessEnvironmentAloneWithoutAFile() {
    BroadcastSettings s =
        BroadcastSettingsReader.read(
            null, Map.of("BROADCAST_CONNECTION", "reverb", "REVERB_HOST", "h"));
    assertEquals("h", s.host());
    assertEquals("the process environment", s.source());
  }

  @Test
  void anUnreadableOrMalformedFileIsAConfigurationError() throws IOException {
    assertThrows(
        ConfigException.class,
        () -> BroadcastSettingsReader.read(dir.resolve("missing.env"), Map.of()));
    Path bad = env("REVERB_APP_KEY=\"unterminated\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> BroadcastSettingsReader.read(bad, Map.of()));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }
}
