package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Soketi's environment variables and config file, as {@link ConfigLoader} reads them. */
class SoketiSettingsTest {
  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();
  private final Logger configLogger = Logger.getLogger("dev.herald.config");
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          warnings.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureWarnings() {
    configLogger.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    configLogger.removeHandler(capture);
  }

  private static HeraldConfig load(Map<String, String> env, String... args) {
    return LoadedConfig.load(env, args);
  }

  /** The environment ../shared/peers/soketi runs Soketi with. */
  private static Map<String, String> peerEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("SOKETI_DEFAULT_APP_ID", "app-id");
    env.put("SOKETI_DEFAULT_APP_KEY", "app-key");
    env.put("SOKETI_DEFAULT_APP_SECRET", "app-secret");
    env.put("SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "true");
    env.put("SOKETI_DEFAULT_APP_MAX_CONNS", "-1");
    env.put("SOKETI_PORT", "6001");
    return env;
  }

  private static ConfigException refused(Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> load(env));
  }

  private static Map<String, String> withApp(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("SOKETI_DEFAULT_APP_ID", "app-id");
    env.put("SOKETI_DEFAULT_APP_KEY", "app-key");
    env.put("SOKETI_DEFAULT_APP_SECRET", "app-secret");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void readsTheEnvironmentSoketiRunsWith() {
    HeraldConfig config = load(peerEnvironment());
    assertFalse(config.usingDevelopmentApp());
    AppConfig app = config.apps().get(0);
    assertEquals(
        List.of("app-id", "app-key", "app-secret"), List.of(app.id(), app.key(), app.secret()));
    assertEquals(ClientEventsPolicy.MEMBERS, app.acceptClientEventsFrom());
    assertEquals(0, app.maxConnections(), "-1 is no limit");
    assertEquals(6001, config.server().port());
  }

  @Test
  void soketiNamesBringSoketiDefaults() {
    HeraldConfig config = load(withApp());
    AppConfig app = config.apps().get(0);
    assertEquals(ClientEventsPolicy.NONE, app.acceptClientEventsFrom(), "client events off");
    assertEquals(0, app.clientEventRateLimit(), "and unlimited once on");
    assertEquals(100 * 1024, app.maxEventPayload());
    assertEquals(100 * 1024 + 4096, app.maxMessageSize(), "a 100 KB client event gets through");
    assertEquals(100, app.maxPresenceMembers());
    assertEquals(2048, app.maxPresenceMemberSize());
    assertEquals(200, app.maxChannelNameLength());
    assertEquals(200, app.maxEventNameLength());
    assertEquals(100, app.maxChannelsPerEvent());
    assertEquals(10, app.maxBatchSize());
    assertEquals(3600, app.cacheTtl());
    assertEquals(0, app.userAuthenticationTimeout());
    ServerConfig server = config.server();
    assertEquals(6001, server.port());
    assertFalse(server.metricsEnabled());
    assertEquals(9601, server.metricsPort());
    assertEquals("soketi", server.metricsPrefix());
    assertEquals(0, server.webhooks().batchMillis());
    assertEquals(3, server.drainSeconds());

    // Without a Soketi name, Herald's own defaults stay.
    HeraldConfig herald =
        load(Map.of("REVERB_APP_ID", "a", "REVERB_APP_KEY", "k", "REVERB_APP_SECRET", "s"));
    assertEquals(ClientEventsPolicy.MEMBERS, herald.apps().get(0).acceptClientEventsFrom());
    assertEquals(10_240, herald.apps().get(0).maxEventPayload());
    assertEquals(8080, herald.server().port());
    assertEquals("herald", herald.server().metricsPrefix());
  }

  @Test
  void heraldReverbAndPusherNamesWinOverSoketiNames() {
    Map<String, String> env =
        withApp(
            "REVERB_APP_KEY", "reverb-key",
            "PUSHER_APP_SECRET", "pusher-secret",
            "REVERB_SERVER_PORT", "7000",
            "HERALD_APP_MAX_EVENT_PAYLOAD", "5000",
            "SOKETI_EVENT_MAX_SIZE_IN_KB", "50",
            "REVERB_APP_ACCEPT_CLIENT_EVENTS_FROM", "all",
            "HERALD_METRICS_PREFIX", "herald");
    HeraldConfig config = load(env);
    AppConfig app = config.apps().get(0);
    assertEquals("app-id", app.id());
    assertEquals("reverb-key", app.key());
    assertEquals("pusher-secret", app.secret());
    assertEquals(7000, config.server().port());
    assertEquals(5000, app.maxEventPayload());
    assertEquals(ClientEventsPolicy.ALL, app.acceptClientEventsFrom());
    assertEquals("herald", config.server().metricsPrefix());
  }

  @Test
  void convertsSoketiUnitsAndLimits() {
    HeraldConfig config =
        load(
            withApp(
                "SOKETI_HOST", "127.0.0.3",
                "SOKETI_DEBUG", "1",
                "SOKETI_PATH_PREFIX", "/soketi",
                "SOKETI_EVENT_MAX_SIZE_IN_KB", "50",
                "SOKETI_PRESENCE_MAX_MEMBER_SIZE", "1.5",
                "SOKETI_PRESENCE_MAX_MEMBERS", "50",
                "SOKETI_EVENT_MAX_CHANNELS_AT_ONCE", "20",
                "SOKETI_EVENT_MAX_NAME_LENGTH", "120",
                "SOKETI_EVENT_MAX_BATCH_SIZE", "5",
                "SOKETI_CHANNEL_LIMITS_MAX_NAME_LENGTH", "150",
                "SOKETI_CHANNEL_CACHE_TTL", "60",
                "SOKETI_SHUTDOWN_GRACE_PERIOD", "1500",
                "SOKETI_DEFAULT_APP_MAX_CONNS", "500",
                "SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC", "20",
                "SOKETI_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC", "-1",
                "SOKETI_DEFAULT_APP_USER_AUTHENTICATION", "true",
                "SOKETI_USER_AUTHENTICATION_TIMEOUT", "5000",
                "SOKETI_DEFAULT_APP_ENABLED", "false",
                "SOKETI_WEBHOOKS_BATCHING", "true",
                "SOKETI_WEBHOOKS_BATCHING_DURATION", "200",
                "SOKETI_METRICS_ENABLED", "1",
                "SOKETI_METRICS_SERVER_PORT", "9700",
                "SOKETI_METRICS_PROMETHEUS_PREFIX", "soketi_",
                "SOKETI_DEFAULT_APP_WEBHOOKS",
                    "[{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"channel_occupied\"],"
                        + "\"filter\":{\"channel_name_starts_with\":\"private-\"}}]"));
    AppConfig app = config.apps().get(0);
    assertEquals(51_200, app.maxEventPayload());
    assertEquals(51_200 + 4096, app.maxMessageSize());
    assertEquals(1536, app.maxPresenceMemberSize());
    assertEquals(50, app.maxPresenceMembers());
    assertEquals(20, app.maxChannelsPerEvent());
    assertEquals(120, app.maxEventNameLength());
    assertEquals(5, app.maxBatchSize());
    assertEquals(150, app.maxChannelNameLength());
    assertEquals(60, app.cacheTtl());
    assertEquals(500, app.maxConnections());
    assertEquals(20, app.clientEventRateLimit());
    assertEquals(0, app.maxBackendEventsPerSecond());
    assertEquals(5, app.userAuthenticationTimeout());
    assertFalse(app.enabled());
    assertEquals(1, app.webhooks().size());
    assertTrue(app.webhooks().get(0).wants("channel_occupied", "private-x"));
    assertFalse(app.webhooks().get(0).wants("channel_occupied", "public-x"));
    ServerConfig server = config.server();
    assertEquals("127.0.0.3", server.host());
    assertTrue(server.debug());
    assertEquals("/soketi", server.path());
    assertEquals(2, server.drainSeconds(), "1.5 s rounded up");
    assertEquals(200, server.webhooks().batchMillis());
    assertTrue(server.metricsEnabled());
    assertEquals(9700, server.metricsPort());
    assertEquals("soketi", server.metricsPrefix());
  }

  @Test
  void theRedisAdapterTakesSoketisConnectionSettings() {
    ScalingConfig scaling =
        load(withApp(
                "SOKETI_ADAPTER_DRIVER", "redis",
                "SOKETI_DB_REDIS_HOST", "10.0.0.5",
                "SOKETI_DB_REDIS_PORT", "6380",
                "SOKETI_DB_REDIS_USERNAME", "soketi",
                "SOKETI_DB_REDIS_PASSWORD", "p@ss",
                "SOKETI_DB_REDIS_DB", "2",
                "SOKETI_DB_REDIS_KEY_PREFIX", "prod:",
                "SOKETI_ADAPTER_REDIS_PREFIX", "ws"))
            .server()
            .scaling();
    assertTrue(scaling.enabled());
    assertEquals("redis://soketi:p%40ss@10.0.0.5:6380/2", scaling.redisUrl());
    assertEquals("prod:ws", scaling.prefix());

    assertFalse(load(withApp("SOKETI_ADAPTER_DRIVER", "local")).server().scaling().enabled());
  }

  @Test
  void soketisSentinelsAndClusterNodesBecomeHeraldsRedisTopology() {
    RedisTopology sentinel =
        load(withApp(
                "SOKETI_ADAPTER_DRIVER", "redis",
                "SOKETI_DB_REDIS_SENTINELS",
                    "[{\"host\":\"s1\",\"port\":26379},{\"host\":\"s2\",\"port\":26380}]",
                "SOKETI_DB_REDIS_INSTANCE_NAME", "primary"))
            .server()
            .scaling()
            .redis();
    assertEquals(RedisTopology.Kind.SENTINEL, sentinel.kind());
    assertEquals(List.of("redis://s1:26379/0", "redis://s2:26380/0"), sentinel.endpoints());
    assertEquals("primary", sentinel.masterName());
    assertEquals(
        "mymaster",
        load(withApp(
                "SOKETI_ADAPTER_DRIVER", "redis",
                "SOKETI_DB_REDIS_SENTINELS", "[{\"host\":\"s1\",\"port\":26379}]"))
            .server()
            .scaling()
            .redis()
            .masterName(),
        "Soketi's default master name");

    RedisTopology cluster =
        load(withApp(
                "SOKETI_ADAPTER_DRIVER", "redis",
                "SOKETI_ADAPTER_REDIS_CLUSTER_MODE", "true",
                "SOKETI_DB_REDIS_CLUSTER_NODES", "[{\"host\":\"c1\",\"port\":7000},\"c2:7001\"]"))
            .server()
            .scaling()
            .redis();
    assertEquals(RedisTopology.Kind.CLUSTER, cluster.kind());
    assertEquals(List.of("redis://c1:7000", "redis://c2:7001"), cluster.endpoints());

    // Soketi uses the nodes in cluster mode only.
    RedisTopology standalone =
        load(withApp(
                "SOKETI_ADAPTER_DRIVER", "redis",
                "SOKETI_DB_REDIS_CLUSTER_NODES", "[{\"host\":\"c1\",\"port\":7000}]"))
            .server()
            .scaling()
            .redis();
    assertEquals(RedisTopology.Kind.STANDALONE, standalone.kind());
    assertTrue(
        String.join("\n", warnings).contains("env SOKETI_DB_REDIS_CLUSTER_NODES: ignored"),
        String.join("\n", warnings));
  }

  @Test
  void valuesHeraldCannotHonourAreRefusedNamingTheVariable() {
    String[][] cases = {
      {"SOKETI_ADAPTER_DRIVER", "nats", "Herald scales out through Redis"},
      {"SOKETI_ADAPTER_DRIVER", "cluster", "Herald scales out through Redis"},
      {"SOKETI_ADAPTER_REDIS_CLUSTER_MODE", "true", "needs the cluster's nodes"},
      {"SOKETI_DB_REDIS_SENTINEL_PASSWORD", "other", "with the Redis credentials"},
      {"SOKETI_DB_REDIS_SENTINELS", "{\"host\":\"s\"}", "must be a JSON list"},
      {"SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC", "0", "use -1 for no limit"},
      {"SOKETI_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC", "0", "use -1 for no limit"},
      {"SOKETI_APP_MANAGER_DRIVER", "mysql", "only \"array\""},
      {"SOKETI_MODE", "worker", "only \"full\""},
      {"SOKETI_METRICS_DRIVER", "statsd", "only \"prometheus\""},
      {"SOKETI_METRICS_PROMETHEUS_PREFIX", "myapp_", "only \"soketi_\""},
      {"SOKETI_SSL_PASS", "secret", "unencrypted PEM"},
      {"SOKETI_SSL_CA", "/etc/ca.pem", "append the chain"},
      {"SOKETI_EVENT_MAX_SIZE_IN_KB", "lots", "must be a number of KB"},
      {"SOKETI_USER_AUTHENTICATION_TIMEOUT", "10", "at least 1000 (ms)"},
      {
        "SOKETI_DEFAULT_APP_WEBHOOKS",
        "[{\"lambda_function\":\"f\",\"event_types\":[\"channel_occupied\"]}]",
        "AWS Lambda"
      },
      {"SOKETI_PORT", "eighty", "must be a whole number"},
    };
    for (String[] c : cases) {
      ConfigException error = refused(withApp(c[0], c[1]));
      assertTrue(
          error.getMessage().startsWith("env " + c[0]) && error.getMessage().contains(c[2]),
          c[0] + "=" + c[1] + ": " + error.getMessage());
    }
  }

  @Test
  void settingsOfSoketisOwnMachineryAreIgnoredWithAWarningNamingThem() {
    HeraldConfig config =
        load(
            withApp(
                "SOKETI_QUEUE_DRIVER", "redis",
                "SOKETI_RATE_LIMITER_DRIVER", "redis",
                "SOKETI_CLUSTER_PORT", "11002",
                "SOKETI_DEFAULT_APP_MAX_READ_REQ_PER_SEC", "100",
                "SOKETI_DEFAULT_APP_MAX_PRESENCE_MEMBERS", "5",
                "SOKETI_CACHE_DRIVER", "memory"));
    assertEquals("app-key", config.apps().get(0).key());
    String all = String.join("\n", warnings);
    for (String name :
        List.of(
            "SOKETI_QUEUE_DRIVER",
            "SOKETI_RATE_LIMITER_DRIVER",
            "SOKETI_CLUSTER_PORT",
            "SOKETI_DEFAULT_APP_MAX_READ_REQ_PER_SEC",
            "SOKETI_DEFAULT_APP_MAX_PRESENCE_MEMBERS")) {
      assertTrue(all.contains("env " + name + ": "), name + " not warned about:\n" + all);
    }
    assertTrue(all.contains("not a variable of Soketi 1.6"), all);
    assertFalse(all.contains("SOKETI_CACHE_DRIVER"), "Soketi's default needs no warning:\n" + all);
  }

  @Test
  void namesOnlySoketisDocumentationGivesAreReadWithAWarningAndTheCodesNameWins() {
    HeraldConfig config =
        load(
            withApp(
                "SOKETI_HTTP_MAX_REQUEST_SIZE", "1",
                "SOKETI_CHANNEL_MAX_NAME_LENGTH", "120"));
    assertEquals(1024 * 1024, config.server().maxRequestSize());
    assertEquals(120, config.apps().get(0).maxChannelNameLength());
    assertTrue(
        String.join("\n", warnings)
            .contains("env SOKETI_CHANNEL_MAX_NAME_LENGTH: read as Soketi's"),
        String.join("\n", warnings));
    assertEquals(
        150,
        load(withApp(
                "SOKETI_CHANNEL_MAX_NAME_LENGTH", "120",
                "SOKETI_CHANNEL_LIMITS_MAX_NAME_LENGTH", "150"))
            .apps()
            .get(0)
            .maxChannelNameLength());
  }

  @Test
  void readsSoketisVariablesFromAnEnvFileAndTheProcessWins() throws IOException {
    Path envFile =
        write(
            ".env",
            "SOKETI_DEFAULT_APP_ID=file-id\nSOKETI_DEFAULT_APP_KEY=\"file-key\"\n"
                + "SOKETI_DEFAULT_APP_SECRET=file-secret\nSOKETI_PORT=6100\n");
    HeraldConfig config = load(Map.of("SOKETI_PORT", "6200"), "--env-file", envFile.toString());
    assertEquals("file-key", config.apps().get(0).key());
    assertEquals(6200, config.server().port());
    assertEquals(ClientEventsPolicy.NONE, config.apps().get(0).acceptClientEventsFrom());
  }

  @Test
  void withSoketiNamesAndNoAppSoketisDefaultCredentialsAreServed() throws IOException {
    HeraldConfig config = load(Map.of("SOKETI_PORT", "6001"));
    assertTrue(config.usingDevelopmentApp());
    AppConfig app = config.apps().get(0);
    assertEquals(
        List.of("app-id", "app-key", "app-secret"), List.of(app.id(), app.key(), app.secret()));
    assertEquals("herald-key", load(Map.of()).apps().get(0).key());

    // One left out takes Soketi's default, as in Soketi.
    AppConfig keyOnly =
        load(Map.of("SOKETI_DEFAULT_APP_KEY", "k", "SOKETI_DEFAULT_APP_SECRET", "s")).apps().get(0);
    assertEquals(
        List.of("app-id", "k", "s"), List.of(keyOnly.id(), keyOnly.key(), keyOnly.secret()));
    // Soketi's variables that set no app leave a Herald file's apps alone.
    Path file = write("herald.yaml", "apps:\n  - {id: a, key: k, secret: s}\n");
    HeraldConfig withFile = load(Map.of("SOKETI_PORT", "6001"), "--config", file.toString());
    assertEquals(1, withFile.apps().size());
    assertEquals("a", withFile.apps().get(0).id());
  }

  @Test
  void everySoketiVariableIsListedAndTranslatable() {
    List<String> names = new ArrayList<>(ConfigLoader.envNames());
    names.addAll(ConfigLoader.soketiEnvNames());
    for (String name :
        List.of(
            "SOKETI_DEFAULT_APP_ID",
            "SOKETI_DEFAULT_APP_KEY",
            "SOKETI_DEFAULT_APP_SECRET",
            "SOKETI_PORT",
            "SOKETI_HOST",
            "SOKETI_DEBUG",
            "SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES",
            "SOKETI_DEFAULT_APP_MAX_CONNS",
            "SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC",
            "SOKETI_DEFAULT_APP_USER_AUTHENTICATION",
            "SOKETI_DEFAULT_APP_WEBHOOKS",
            "SOKETI_ADAPTER_DRIVER",
            "SOKETI_DB_REDIS_HOST",
            "SOKETI_METRICS_ENABLED",
            "SOKETI_METRICS_SERVER_PORT",
            "SOKETI_PRESENCE_MAX_MEMBERS",
            "SOKETI_PRESENCE_MAX_MEMBER_SIZE",
            "SOKETI_EVENT_MAX_SIZE_IN_KB")) {
      assertTrue(names.contains(name), name);
    }
    assertEquals(names.size(), names.stream().distinct().count(), "no name twice");
    SoketiEnvironment.paths()
        .forEach((name, path) -> assertTrue(SoketiOptions.known(path), name + " → " + path));
  }

  // ---- Soketi's config file

  private Path write(String name, String json) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, json);
    return file;
  }

  @Test
  void readsSoketisConfigFileNestedOrDottedWithKilobytesAndItsDefaults() throws IOException {
    Path file =
        write(
            "soketi.json",
            """
            {
              "debug": true,
              "port": 6002,
              "metrics": {"enabled": true, "port": 9700},
              "eventLimits.maxPayloadInKb": 20,
              "presence": {"maxMembersPerChannel": 30, "maxMemberSizeInKb": 1},
              "adapter": {"driver": "local"},
              "httpApi": {"requestLimitInMb": 1, "acceptTraffic": {"memoryThreshold": 90}},
              "appManager.array.apps": [
                {
                  "id": 42, "key": "key-one", "secret": "secret-one",
                  "enableClientMessages": true, "maxConnections": -1,
                  "webhooks": [{"url": "https://example.test/hook",
                                "event_types": ["channel_occupied", "member_added"]}]
                },
                {"AppId": "two", "AppKey": "key-two", "AppSecret": "secret-two",
                 "max_event_payload_in_kb": 200, "maxPresenceMembersPerChannel": 5}
              ]
            }
            """);
    HeraldConfig config = load(Map.of(), "--config", file.toString());
    ServerConfig server = config.server();
    assertEquals(6002, server.port());
    assertTrue(server.debug());
    assertTrue(server.metricsEnabled());
    assertEquals(9700, server.metricsPort());
    assertEquals("soketi", server.metricsPrefix());
    assertEquals(1024 * 1024, server.maxRequestSize());
    assertTrue(
        String.join("\n", warnings)
            .contains(file + ": httpApi.acceptTraffic.memoryThreshold: ignored"),
        String.join("\n", warnings));
    assertEquals(2, config.apps().size());
    AppConfig one = config.apps().get(0);
    assertEquals("42", one.id());
    assertEquals(ClientEventsPolicy.MEMBERS, one.acceptClientEventsFrom());
    assertEquals(20 * 1024, one.maxEventPayload());
    assertEquals(30, one.maxPresenceMembers());
    assertEquals(1024, one.maxPresenceMemberSize());
    assertEquals(1, one.webhooks().size());
    AppConfig two = config.apps().get(1);
    assertEquals("key-two", two.key());
    assertEquals(ClientEventsPolicy.NONE, two.acceptClientEventsFrom(), "Soketi's default");
    assertEquals(200 * 1024, two.maxEventPayload(), "the app's own limit wins");
    assertEquals(5, two.maxPresenceMembers());
    assertEquals(3600, two.cacheTtl());
  }

  @Test
  void soketisVariablesOverrideItsFileAsInSoketiAndHeraldsNamesWinOverBoth() throws IOException {
    Path file =
        write(
            "soketi.json",
            """
            {"port": 6002, "eventLimits": {"maxPayloadInKb": 20},
             "appManager.array.apps.0.id": "a", "appManager.array.apps.0.key": "k",
             "appManager.array.apps.0.secret": "s",
             "appManager.array.apps.1.id": "b", "appManager.array.apps.1.key": "k2",
             "appManager.array.apps.1.secret": "s2", "appManager.array.apps.1.maxEventPayloadInKb": 5}
            """);
    HeraldConfig config =
        load(
            Map.of(
                "REVERB_SERVER_PORT", "7001",
                "SOKETI_PORT", "7002",
                "SOKETI_HOST", "127.0.0.9",
                "SOKETI_DEFAULT_APP_KEY", "env-key",
                "SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "true",
                "SOKETI_EVENT_MAX_SIZE_IN_KB", "30"),
            "--config",
            file.toString());
    assertEquals(7001, config.server().port());
    assertEquals("127.0.0.9", config.server().host());
    AppConfig first = config.apps().get(0);
    assertEquals(List.of("a", "env-key"), List.of(first.id(), first.key()));
    assertEquals(ClientEventsPolicy.MEMBERS, first.acceptClientEventsFrom());
    assertEquals(30 * 1024, first.maxEventPayload(), "the variable over the file's limit");
    AppConfig second = config.apps().get(1);
    assertEquals(ClientEventsPolicy.NONE, second.acceptClientEventsFrom());
    assertEquals(5 * 1024, second.maxEventPayload(), "the app's own limit over both");
  }

  @Test
  void soketiFileKeysHeraldCannotHonourNameTheFileAndKey() throws IOException {
    String[][] cases = {
      {
        "{\"adapter\": {\"driver\": \"nats\"}}", "adapter.driver", "Herald scales out through Redis"
      },
      {"{\"appManager.driver\": \"dynamodb\"}", "appManager.driver", "only \"array\""},
      {"{\"port\": 6001, \"colour\": \"blue\"}", "colour", "not an option of Soketi 1.6"},
      {
        "{\"appManager\": {\"array\": {\"apps\": [{\"id\": \"a\", \"key\": \"k\", \"secret\": \"s\","
            + " \"maxClientEventsPerSecond\": 0}]}}}",
        "appManager.array.apps.0.maxClientEventsPerSecond",
        "use -1 for no limit"
      },
      {
        "{\"appManager.array.apps\": [{\"id\": \"a\", \"key\": \"k\", \"secret\": \"s\","
            + " \"colour\": 1}]}",
        "appManager.array.apps.0.colour",
        "not an app field"
      },
      {
        "{\"database\": {\"redis\": {\"sentinelPassword\": \"other\"}}}",
        "database.redis.sentinelPassword",
        "with the Redis credentials"
      },
    };
    for (String[] c : cases) {
      Path file = write("soketi.json", c[0]);
      ConfigException error =
          assertThrows(ConfigException.class, () -> load(Map.of(), "--config", file.toString()));
      assertTrue(
          error.getMessage().startsWith(file + ": " + c[1]) && error.getMessage().contains(c[2]),
          c[0] + ": " + error.getMessage());
    }
  }

  @Test
  void heraldsOwnJsonFileIsNotTakenForSoketis() throws IOException {
    Path herald =
        write(
            "herald.json",
            "{\"server\": {\"port\": 9000}, \"apps\": [{\"id\": \"a\", \"key\": \"k\", \"secret\": \"s\"}]}");
    HeraldConfig config = load(Map.of(), "--config", herald.toString());
    assertEquals(9000, config.server().port());
    assertEquals(ClientEventsPolicy.MEMBERS, config.apps().get(0).acceptClientEventsFrom());
    assertEquals("herald", config.server().metricsPrefix());

    Path yaml = write("herald.yaml", "port: 6001\napps: []\n");
    ConfigException misplaced =
        assertThrows(ConfigException.class, () -> load(Map.of(), "--config", yaml.toString()));
    assertTrue(
        misplaced.getMessage().contains(yaml + ": port: unknown key"), misplaced.getMessage());
    Path yamlOnly = write("soketi.yaml", "port: 6001\n");
    ConfigException notJson =
        assertThrows(ConfigException.class, () -> load(Map.of(), "--config", yamlOnly.toString()));
    assertTrue(
        notJson.getMessage().contains("a Soketi config file has neither"), notJson.getMessage());

    Path mixed = write("mixed.json", "{\"server\": {\"port\": 9000}, \"port\": 6001}");
    ConfigException error =
        assertThrows(ConfigException.class, () -> load(Map.of(), "--config", mixed.toString()));
    assertTrue(error.getMessage().contains(mixed + ": port: unknown key"), error.getMessage());
  }
}
