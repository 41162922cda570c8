package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisTopologyTest {
  @TempDir Path dir;

  private static ScalingConfig scaling(String... env) {
    Map<String, String> map = new HashMap<>(Map.of("HERALD_SCALING", "redis"));
    for (int i = 0; i < env.length; i += 2) {
      map.put(env[i], env[i + 1]);
    }
    return ConfigLoader.load(ConfigLoader.parseArgs(List.of()), map).server().scaling();
  }

  private static String error(String... env) {
    return assertThrows(ConfigException.class, () -> scaling(env)).getMessage();
  }

  @Test
  void aPlainRedisUrlIsOneServerWithoutTls() {
    RedisTopology redis = scaling("REDIS_URL", "redis://127.0.0.1:7000").redis();
    assertEquals(RedisTopology.Kind.STANDALONE, redis.kind());
    assertEquals(List.of("redis://127.0.0.1:7000"), redis.endpoints());
    assertEquals(false, redis.tls());
  }

  @Test
  void sentinelsAreReadFromHeraldNamesOrLaravelsAndTakeTheCredentialsAndSchemeOfRedisUrl() {
    RedisTopology herald =
        scaling(
                "REDIS_URL", "rediss://:secret@127.0.0.1:6379",
                "HERALD_REDIS_SENTINELS", "10.0.0.1:26380, 10.0.0.2",
                "HERALD_REDIS_SENTINEL_MASTER", "main")
            .redis();
    assertEquals(RedisTopology.Kind.SENTINEL, herald.kind());
    assertEquals(
        List.of("rediss://:secret@10.0.0.1:26380", "rediss://:secret@10.0.0.2:26379"),
        herald.endpoints());
    assertEquals("main", herald.masterName());
    assertEquals(
        "master \"main\" via sentinels rediss://***:***@10.0.0.1:26380,"
            + "rediss://***:***@10.0.0.2:26379",
        herald.describe());

    RedisTopology laravel =
        scaling("REDIS_SENTINEL_HOST", "s1,s2,s3", "REDIS_SENTINEL_SERVICE", "mymaster").redis();
    assertEquals(
        List.of("redis://s1:26379/0", "redis://s2:26379/0", "redis://s3:26379/0"),
        laravel.endpoints());
    assertEquals(
        List.of("redis://s1:26379/4"),
        scaling("REDIS_SENTINEL_HOST", "s1", "REDIS_SENTINEL_SERVICE", "m", "REDIS_DB", "4")
            .redis()
            .endpoints());
    assertEquals("mymaster", laravel.masterName());
  }

  @Test
  void sentinelWithoutAMasterNameIsAnErrorNamingTheSetting() {
    assertTrue(
        error("HERALD_REDIS_SENTINELS", "127.0.0.1:26379")
            .contains("redis_sentinel_master: is required with Sentinel"));
  }

  @Test
  void clusterSeedsTagThePrefixSoEveryKeyAndTheBusShareOneSlot() {
    ScalingConfig scaling =
        scaling(
            "HERALD_REDIS_CLUSTER_NODES", "127.0.0.1:7000,127.0.0.1:7001",
            "HERALD_REDIS_PREFIX", "herald:");
    assertEquals(RedisTopology.Kind.CLUSTER, scaling.redis().kind());
    assertEquals(
        List.of("redis://127.0.0.1:7000", "redis://127.0.0.1:7001"), scaling.redis().endpoints());
    assertEquals("{herald:}", scaling.prefix());
    // A prefix that already carries a hash tag is the operator's choice and kept.
    assertEquals(
        "{a}b:",
        scaling("HERALD_REDIS_CLUSTER_NODES", "h:7000", "HERALD_REDIS_PREFIX", "{a}b:").prefix());
    // Without a cluster the keys keep their names (no tag), as before.
    assertEquals("herald:", scaling("HERALD_REDIS_PREFIX", "herald:").prefix());
  }

  @Test
  void aClusterWithADatabaseOtherThanZeroIsAnError() {
    assertTrue(
        error("HERALD_REDIS_CLUSTER_NODES", "a:7000", "REDIS_DB", "2")
            .contains("REDIS_DB: a Redis Cluster has only database 0, got 2"));
  }

  @Test
  void listsThatMixTlsAndPlainOrNameAnotherSchemeAreErrors() {
    assertTrue(
        error("HERALD_REDIS_CLUSTER_NODES", "rediss://a:1,redis://b:2")
            .contains("HERALD_REDIS_CLUSTER_NODES: mixes redis:// and rediss://"));
    assertTrue(
        error("HERALD_REDIS_TLS", "true", "HERALD_REDIS_CLUSTER_NODES", "redis://a:1")
            .contains("mixes redis:// and rediss://"));
    assertTrue(
        error("HERALD_REDIS_CLUSTER_NODES", "http://a:1")
            .contains("entries must be host:port, redis:// or rediss:// URLs"));
    assertTrue(
        error("HERALD_REDIS_TOPOLOGY", "cluster")
            .contains("redis_cluster_nodes: is required for this redis_topology"));
    assertTrue(
        error("HERALD_REDIS_TOPOLOGY", "ring")
            .contains("must be one of standalone, sentinel, cluster"));
  }

  @Test
  void tlsFilesAreCheckedAndNeedRediss() throws IOException {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "pem");
    RedisTopology redis =
        scaling("REDIS_URL", "rediss://r:6380", "HERALD_REDIS_TLS_CA_FILE", ca.toString()).redis();
    assertTrue(redis.tls());
    assertEquals(ca.toString(), redis.caFile());
    assertNull(redis.certFile());
    assertTrue(
        error("HERALD_REDIS_TLS", "true", "HERALD_REDIS_TLS_CA_FILE", dir.resolve("no").toString())
            .contains("HERALD_REDIS_TLS_CA_FILE: cannot read"));
    assertTrue(
        error("HERALD_REDIS_TLS", "true", "HERALD_REDIS_TLS_CERT_FILE", ca.toString())
            .contains("redis_tls_key_file: is required when the other half"));
    assertTrue(
        error("HERALD_REDIS_TLS_CA_FILE", ca.toString())
            .contains("is set but Redis is reached without TLS"));
    assertEquals(
        List.of("rediss://127.0.0.1:6379/0"),
        scaling("HERALD_REDIS_TLS", "true").redis().endpoints());
  }

  @Test
  void aConfigFileTakesTheSentinelsAsAList() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("herald.yaml"),
            String.join(
                "\n",
                "server:",
                "  scaling: redis",
                "  redis_sentinels: [\"10.0.0.1:26379\", \"10.0.0.2:26379\"]",
                "  redis_sentinel_master: main",
                ""));
    RedisTopology redis =
        ConfigLoader.load(ConfigLoader.parseArgs(List.of("--config", file.toString())), Map.of())
            .server()
            .scaling()
            .redis();
    assertEquals(
        List.of("redis://10.0.0.1:26379/0", "redis://10.0.0.2:26379/0"), redis.endpoints());
    assertEquals("main", redis.masterName());
  }
}
