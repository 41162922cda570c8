package dev.herald.scaling.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.config.RedisTopology;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisConnectorOptionsTest {

  @Test
  void sentinelOptionsAskTheSentinelsForTheNamedMaster() {
    RedisOptions options =
        RedisConnector.options(
            new RedisTopology(
                RedisTopology.Kind.SENTINEL,
                List.of("redis://s1:26379", "redis://s2:26379"),
                "main",
                null,
                null,
                null));
    assertEquals(RedisClientType.SENTINEL, options.getType());
    assertEquals(RedisRole.MASTER, options.getRole());
    assertEquals("main", options.getMasterName());
    assertEquals(List.of("redis://s1:26379", "redis://s2:26379"), options.getEndpoints());
    assertFalse(options.getNetClientOptions().isSsl());
  }

  @Test
  void clusterOptionsStartFromTheSeeds() {
    RedisOptions options =
        RedisConnector.options(
            new RedisTopology(
                RedisTopology.Kind.CLUSTER, List.of("redis://a:7000"), null, null, null, null));
    assertEquals(RedisClientType.CLUSTER, options.getType());
    assertEquals(List.of("redis://a:7000"), options.getEndpoints());
  }

  @Test
  void tlsVerifiesTheHostNameAndTrustsTheCaFileWithTheClientKeyPair() {
    RedisOptions options =
        RedisConnector.options(
            new RedisTopology(
                RedisTopology.Kind.STANDALONE,
                List.of("rediss://r:6380"),
                null,
                "/etc/ca.pem",
                "/etc/client.pem",
                "/etc/client.key"));
    assertEquals(RedisClientType.STANDALONE, options.getType());
    assertTrue(options.getNetClientOptions().isSsl());
    assertFalse(options.getNetClientOptions().isTrustAll());
    assertEquals("HTTPS", options.getNetClientOptions().getHostnameVerificationAlgorithm());
    PemTrustOptions trust =
        assertInstanceOf(PemTrustOptions.class, options.getNetClientOptions().getTrustOptions());
    assertEquals(List.of("/etc/ca.pem"), trust.getCertPaths());
    PemKeyCertOptions key =
        assertInstanceOf(
            PemKeyCertOptions.class, options.getNetClientOptions().getKeyCertOptions());
    assertEquals("/etc/client.pem", key.getCertPath());
    assertEquals("/etc/client.key", key.getKeyPath());
  }

  @Test
  void tlsWithoutACaFileUsesTheJvmTrustStoreAndStillVerifies() {
    RedisOptions options =
        RedisConnector.options(
            new RedisTopology(
                RedisTopology.Kind.STANDALONE, List.of("rediss://r:6380"), null, null, null, null));
    assertTrue(options.getNetClientOptions().isSsl());
    assertFalse(options.getNetClientOptions().isTrustAll());
    assertNull(options.getNetClientOptions().getTrustOptions());
    assertEquals("HTTPS", options.getNetClientOptions().getHostnameVerificationAlgorithm());
  }
}
