package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private static HeraldConfig load(Map<String, String> env, String... args) {
    return LoadedConfig.load(env, args);
  }

  @Test
  void takesReverbStartsListenFlagsInBothSpellingsOverTheEnvironment() {
    Map<String, String> env =
        Map.of(
            "REVERB_SERVER_HOST", "0.0.0.0",
            "REVERB_SERVER_PORT", "8080",
            "REVERB_SERVER_PATH", "/env");
    ServerConfig server =
        load(env, "--host=127.0.0.2", "--port", "6001", "--path=/ws", "--debug").server();
    assertEquals("127.0.0.2", server.host());
    assertEquals(6001, server.port());
    assertEquals("/ws", server.path());
    assertTrue(server.debug());
    assertEquals(
        "reverb.test", ConfigLoader.parseArgs(List.of("--hostname=reverb.test")).hostname());
  }

  @Test
  void aBadFlagValueNamesTheFlag() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> load(Map.of(), "--port=eighty"));
    assertTrue(error.getMessage().contains("command line --port"), error.getMessage());
    ConfigException missing =
        assertThrows(ConfigException.class, () -> ConfigLoader.parseArgs(List.of("--host")));
    assertTrue(missing.getMessage().contains("--host needs a value"), missing.getMessage());
    assertThrows(ConfigException.class, () -> ConfigLoader.parseArgs(List.of("--hots=1")));
  }

  @Test
  void servesTheDevelopmentAppWhenNothingIsConfigured() {
    HeraldConfig config = load(Map.of());
    assertTrue(config.usingDevelopmentApp());
    assertEquals("herald-key", config.apps().get(0).key());
    assertEquals("0.0.0.0", config.server().host());
    assertEquals(8080, config.server().port());
    assertEquals("", config.server().path());
    assertEquals(262_144, config.server().maxRequestSize());
    assertFalse(config.server().tls().enabled());
    assertFalse(config.server().database().enabled());
    AppConfig app = config.apps().get(0);
    assertEquals(30, app.activityTimeout());
    assertEquals(ClientEventsPolicy.MEMBERS, app.acceptClientEventsFrom());
    assertEquals(10, app.clientEventRateLimit());
  }

  @Test
  void redisPingIntervalAndTimeoutDefaultToOneAndTwoSecondsAndAreReadFromTheEnvironment() {
    ScalingConfig defaults = load(Map.of("HERALD_SCALING", "redis")).server().scaling();
    assertEquals(1000, defaults.pingIntervalMillis());
    assertEquals(2000, defaults.pingTimeoutMillis());

    ScalingConfig set =
        load(Map.of(
                "HERALD_SCALING",
                "redis",
                "HERALD_REDIS_PING_INTERVAL_MS",
                "250",
                "HERALD_REDIS_PING_TIMEOUT_MS",
                "700"))
            .server()
            .scaling();
    assertEquals(250, set.pingIntervalMillis());
    assertEquals(700, set.pingTimeoutMillis());

    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> load(Map.of("HERALD_SCALING", "redis", "HERALD_REDIS_PING_TIMEOUT_MS", "10")));
    assertTrue(error.getMessage().contains("HERALD_REDIS_PING_TIMEOUT_MS"), error.getMessage());
  }

  @Test
  void devServesTheDemoOnlyWithTheDevelopmentApp() {
    assertFalse(load(Map.of()).dev());
    HeraldConfig config = load(Map.of(), "--dev");
    assertTrue(config.dev());
    assertTrue(config.usingDevelopmentApp());

    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k", "REVERB_APP_SECRET", "s"),
                    "--dev"));
    assertTrue(error.getMessage().startsWith("command line --dev: "), error.getMessage());
    assertTrue(error.getMessage().contains("development app"), error.getMessage());
  }

  @Test
  void readsTheReverbVariablesALaravelAppAlreadyHas() {
    HeraldConfig config =
        load(
            Map.of(
                "REVERB_APP_ID", "1",
                "REVERB_APP_KEY", "k",
                "REVERB_APP_SECRET", "s",
                "REVERB_SERVER_PORT", "6001",
                "REVERB_SERVER_PATH", "ws/",
                "REVERB_APP_MAX_CONNECTIONS", "5",
                "REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM", "all"));
    assertFalse(config.usingDevelopmentApp());
    assertEquals(6001, config.server().port());
    assertEquals("/ws", config.server().path());
    AppConfig app = config.apps().get(0);
    assertEquals(List.of("1", "k", "s"), List.of(app.id(), app.key(), app.secret()));
    assertEquals(5, app.maxConnections());
    assertEquals(ClientEventsPolicy.ALL, app.acceptClientEventsFrom());
  }

  @Test
  void fallsBackToPusherVariables() {
    HeraldConfig config =
        load(Map.of("PUSHER_APP_ID", "9", "PUSHER_APP_KEY", "pk", "PUSHER_APP_SECRET", "ps"));
    assertEquals("pk", config.apps().get(0).key());
  }

  @Test
  void readsALaravelEnvFileWithQuotesCommentsAndReferencesAndLetsTheProcessWin()
      throws IOException {
    Path env = dir.resolve(".env");
    Files.writeString(
        env,
        String.join(
            "\n",
            "# Laravel",
            "APP_NAME=\"My App\"",
            "BROADCAST_CONNECTION=reverb",
            "REVERB_APP_ID=100 # trailing comment",
            "export REVERB_APP_KEY='abc def'",
            "REVERB_APP_SECRET=\"s3cr3t\"",
            "VITE_REVERB_APP_KEY=\"${REVERB_APP_KEY}\"",
            "REVERB_SERVER_PORT=7000",
            ""));
    HeraldConfig config = load(Map.of("REVERB_SERVER_PORT", "7001"), "--env-file", env.toString());
    AppConfig app = config.apps().get(0);
    assertEquals("100", app.id());
    assertEquals("abc def", app.key());
    assertEquals("s3cr3t", app.secret());
    assertEquals(7001, config.server().port());
  }

  @Test
  void readsMultiLineQuotedValuesAndPassesOverLinesThatAreNotHerald() throws IOException {
    Path env = dir.resolve(".env");
    Files.writeString(
        env,
        String.join(
            "\n",
            "PASSPORT_PRIVATE_KEY=\"-----BEGIN RSA PRIVATE KEY-----",
            "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
            "-----END RSA PRIVATE KEY-----\"",
            "JWT_PUBLIC='line one",
            "line two'",
            "this line is not an assignment at all",
            "REVERB_APP_ID=100",
            "REVERB_APP_KEY=key",
            "REVERB_APP_SECRET=\"secret\"",
            // Laravel's dotenv would read on to the end of the file for a closing quote.
            "MAIL_FROM_NAME=\"${APP_NAME} unterminated",
            "MAIL_MAILER=smtp",
            ""));
    Map<String, String> read = EnvFile.read(env, name -> null);
    assertEquals(
        "-----BEGIN RSA PRIVATE KEY-----\n"
            + "MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n"
            + "-----END RSA PRIVATE KEY-----",
        read.get("PASSPORT_PRIVATE_KEY"));
    assertEquals("line one\nline two", read.get("JWT_PUBLIC"));
    assertFalse(read.containsKey("MAIL_FROM_NAME"));
    assertEquals("smtp", read.get("MAIL_MAILER"));
    AppConfig app = load(Map.of(), "--env-file", env.toString()).apps().get(0);
    assertEquals("100", app.id());
    assertEquals("secret", app.secret());
  }

  @Test
  void aMalformedHeraldSettingInTheEnvFileStillFailsNamingTheLineAndKey() throws IOException {
    Path env = dir.resolve(".env");
    Files.writeString(env, "REVERB_APP_ID=1\nREVERB_APP_SECRET=\"never closed\nREVERB_APP_KEY=k\n");
    ConfigException error =
        assertThrows(ConfigException.class, () -> load(Map.of(), "--env-file", env.toString()));
    assertTrue(error.getMessage().contains("line 2 (REVERB_APP_SECRET)"), error.getMessage());
    assertFalse(error.getMessage().contains("never closed"), error.getMessage());
    Path bare = dir.resolve("bare.env");
    Files.writeString(bare, "REVERB_APP_KEY\n");
    assertThrows(ConfigException.class, () -> load(Map.of(), "--env-file", bare.toString()));
  }

  @Test
  void readsSeveralAppsFromAYamlFile() throws IOException {
    Path file = dir.resolve("herald.yaml");
    Files.writeString(
        file,
        """
        server:
          port: 9000
        apps:
          - id: "1"
            key: one
            secret: s1
          - id: 2
            key: two
            secret: s2
            enabled: false
            client_event_rate_limit: 0
        """);
    HeraldConfig config = load(Map.of(), "--config", file.toString());
    assertEquals(9000, config.server().port());
    assertEquals(2, config.apps().size());
    assertEquals("2", config.apps().get(1).id());
    assertFalse(config.apps().get(1).enabled());
    assertEquals(0, config.apps().get(1).clientEventRateLimit());
  }

  @Test
  void readsJsonFiles() throws IOException {
    Path file = dir.resolve("herald.json");
    Files.writeString(file, "{\"apps\":[{\"id\":\"1\",\"key\":\"k\",\"secret\":\"s\"}]}");
    assertEquals("k", load(Map.of(), "--config", file.toString()).apps().get(0).key());
  }

  @Test
  void badValuesNameTheFileTheKeyAndTheReason() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file, "apps:\n  - id: a\n    key: k\n    secret: s\n    activity_timeout: soon\n");
    ConfigException error =
        assertThrows(ConfigException.class, () -> load(Map.of(), "--config", file.toString()));
    assertEquals(
        file + ": apps[0].activity_timeout: must be a whole number, got \"soon\"",
        error.getMessage());
  }

  @Test
  void unknownKeysAreErrorsNotSilentlyIgnored() throws IOException {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "apps:\n  - id: a\n    key: k\n    secret: s\n    max_conections: 3\n");
    ConfigException error =
        assertThrows(ConfigException.class, () -> load(Map.of(), "--config", file.toString()));
    assertTrue(
        error.getMessage().startsWith(file + ": apps[0].max_conections: unknown key"),
        error.getMessage());
  }

  @Test
  void badEnvironmentValuesNameTheVariable() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    Map.of(
                        "REVERB_APP_ID", "1",
                        "REVERB_APP_KEY", "k",
                        "REVERB_APP_SECRET", "s",
                        "REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM", "everyone")));
    assertEquals(
        "env REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM: must be one of members, all, none, got \"everyone\"",
        error.getMessage());
    ConfigException port =
        assertThrows(ConfigException.class, () -> load(Map.of("REVERB_SERVER_PORT", "70000")));
    assertEquals(
        "env REVERB_SERVER_PORT: must be between 0 and 65535, got 70000", port.getMessage());
  }

  @Test
  void aMalformedUrlIsRefusedWithoutPrintingItsPassword() {
    for (String variable : List.of("REDIS_URL", "HERALD_APPS_DATABASE_URL")) {
      String scheme = variable.equals("REDIS_URL") ? "redis" : "postgresql";
      ConfigException error =
          assertThrows(
              ConfigException.class,
              () ->
                  load(
                      Map.of(
                          "HERALD_SCALING",
                          "redis",
                          variable,
                          scheme + "://user:s3cret pass@db.internal:5432/x")));
      assertTrue(
          error.getMessage().startsWith("env " + variable + ": not a URL"), error::getMessage);
      assertFalse(error.getMessage().contains("s3cret"), error::getMessage);
    }
  }

  @Test
  void anAppWithoutASecretIsRefused() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> load(Map.of("REVERB_APP_ID", "1", "REVERB_APP_KEY", "k")));
    assertTrue(error.getMessage().endsWith("secret is required"), error.getMessage());
  }

  @Test
  void missingFilesAndUnknownOptionsAreReported() {
    assertThrows(
        ConfigException.class,
        () -> load(Map.of(), "--config", dir.resolve("none.yaml").toString()));
    ConfigException error = assertThrows(ConfigException.class, () -> load(Map.of(), "--bogus"));
    assertEquals("command line: unknown option \"--bogus\" (see --help)", error.getMessage());
  }

  @Test
  void readsWebhookTargetsFromTheEnvironmentAndFromYaml() throws IOException {
    HeraldConfig fromEnv =
        load(
            Map.of(
                "REVERB_APP_ID", "1",
                "REVERB_APP_KEY", "k",
                "REVERB_APP_SECRET", "s",
                "HERALD_APP_WEBHOOKS",
                    "[{\"url\":\"https://app.test/pusher/webhook\",\"event_types\":[\"channel_occupied\",\"member_added\"],"
                        + "\"headers\":{\"X-Token\":\"t\"},\"filter\":{\"channel_name_starts_with\":\"presence-\"}}]"));
    WebhookTarget target = fromEnv.apps().get(0).webhooks().get(0);
    assertEquals("https://app.test/pusher/webhook", target.url());
    assertEquals(java.util.Set.of("channel_occupied", "member_added"), target.eventTypes());
    assertEquals(Map.of("X-Token", "t"), target.headers());
    assertTrue(target.wants("member_added", "presence-room"));
    assertFalse(target.wants("member_added", "private-room"));
    assertFalse(target.wants("channel_vacated", "presence-room"));

    Path file = dir.resolve("hooks.yaml");
    Files.writeString(
        file,
        "apps:\n  - id: a\n    key: k\n    secret: s\n    webhooks:\n      - url: http://127.0.0.1:9/hook\n");
    WebhookTarget all = load(Map.of(), "--config", file.toString()).apps().get(0).webhooks().get(0);
    assertEquals(WebhookTarget.EVENT_TYPES, all.eventTypes());
  }

  @Test
  void badWebhookConfigurationNamesTheVariableAndTheKey() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    Map.of(
                        "REVERB_APP_ID", "1",
                        "REVERB_APP_KEY", "k",
                        "REVERB_APP_SECRET", "s",
                        "HERALD_APP_WEBHOOKS", "[{\"url\":\"ftp://x\"}]")));
    assertEquals(
        "env HERALD_APP_WEBHOOKS[0].url: must be an http:// or https:// URL with a host, got ftp://",
        error.getMessage());
    ConfigException type =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    Map.of(
                        "REVERB_APP_ID", "1",
                        "REVERB_APP_KEY", "k",
                        "REVERB_APP_SECRET", "s",
                        "HERALD_APP_WEBHOOKS",
                            "[{\"url\":\"http://x\",\"event_types\":[\"channel_ocupied\"]}]")));
    assertTrue(
        type.getMessage().startsWith("env HERALD_APP_WEBHOOKS[0].event_types: unknown event"),
        type.getMessage());
  }

  @Test
  void duplicateKeysAcrossAppsAreRefused() throws IOException {
    Path file = dir.resolve("dup.yaml");
    Files.writeString(
        file, "apps:\n  - {id: a, key: k, secret: s}\n  - {id: b, key: k, secret: t}\n");
    assertThrows(ConfigException.class, () -> load(Map.of(), "--config", file.toString()));
  }

  @Test
  void envNamesListEveryVariableReadIncludingFallbacksAndTheConfigFile() {
    List<String> names = ConfigLoader.envNames();
    assertTrue(names.containsAll(List.of("HERALD_CONFIG", "REVERB_APP_ID", "PUSHER_APP_ID")));
    assertTrue(
        names.containsAll(List.of("REVERB_SERVER_PORT", "HERALD_DRAIN_SECONDS", "REDIS_URL")));
    assertEquals(names.size(), names.stream().distinct().count(), "no name twice");
  }

  @Test
  void healthUrlFileIsReadFromTheCommandLine() {
    assertEquals(
        Path.of("/tmp/up-url"),
        ConfigLoader.parseArgs(List.of("--health-url-file", "/tmp/up-url")).healthUrlFile());
    assertThrows(ConfigException.class, () -> ConfigLoader.parseArgs(List.of("--health-url-file")));
  }
}
