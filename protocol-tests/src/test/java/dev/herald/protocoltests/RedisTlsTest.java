package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scaling over TLS to Redis ({@code rediss://}): the nodes verify the server's certificate against
 * the CA file they are given (or the JVM's trust store without one) and present a client
 * certificate when Redis requires one; a server certificate they cannot verify stops the start with
 * a message that says so.
 */
class RedisTlsTest {

  @TempDir static Path dir;

  @Test
  void twoNodesShareTheClusterOverTlsVerifiedAgainstTheCaFileWithAClientCertificate()
      throws Exception {
    RedisServer.require();
    TestCa ca = TestCa.create(dir, "shared");
    String channel = Unique.name("tls-");
    try (RedisServer redis = startTls(ca.issue(dir, "redis"), ca.certificate())) {
      TestCa.Issued client = ca.issue(dir, "herald");
      List<HeraldProcess> nodes =
          FailoverScenario.startTwoNodes(
              redis,
              "REDIS_URL",
              "rediss://127.0.0.1:" + redis.tlsPort(),
              "HERALD_REDIS_TLS_CA_FILE",
              ca.certificate().toString(),
              "HERALD_REDIS_TLS_CERT_FILE",
              client.certificate().toString(),
              "HERALD_REDIS_TLS_KEY_FILE",
              client.privateKey().toString());
      assertTwoNodesRelay(nodes, channel, 0, "1");
    }
  }

  /**
   * A master and replica found through sentinels, everything reached over TLS: the sentinels name
   * the master by its TLS port, and the nodes relay across.
   */
  @Test
  void twoNodesShareASentinelMasterReachedOverTls() throws Exception {
    RedisCli.require();
    TestCa ca = TestCa.create(dir, "sentinel");
    String channel = Unique.name("tls-sentinel-");
    try (RedisSentinelSet redis =
        RedisSentinelSet.start(dir, ca.issue(dir, "sentinel-node"), ca.certificate())) {
      List<HeraldProcess> nodes =
          FailoverScenario.startTwoNodes(
              redis.master(),
              "HERALD_REDIS_SENTINELS",
              redis.sentinels(),
              "HERALD_REDIS_SENTINEL_MASTER",
              RedisSentinelSet.MASTER_NAME,
              "HERALD_REDIS_TLS_CA_FILE",
              ca.certificate().toString());
      assertTwoNodesRelay(nodes, channel, 1, "3");
    }
  }

  /**
   * A Redis Cluster reached only over TLS (as managed offerings are): the seeds are {@code
   * rediss://}, the cluster tells TLS clients its TLS ports, and the nodes relay across.
   */
  @Test
  void twoNodesShareAClusterReachedOverTls() throws Exception {
    RedisCli.require();
    TestCa ca = TestCa.create(dir, "cluster");
    String channel = Unique.name("tls-cluster-");
    try (RedisClusterSet redis = startCluster(ca.issue(dir, "cluster-node"), ca.certificate())) {
      List<HeraldProcess> nodes =
          FailoverScenario.startTwoNodes(
              redis.servers().get(0),
              "HERALD_REDIS_CLUSTER_NODES",
              redis.seeds(),
              "HERALD_REDIS_TLS_CA_FILE",
              ca.certificate().toString());
      assertTwoNodesRelay(nodes, channel, 1, "2");
    }
  }

  @Test
  void aServerCertificateFromAnotherCaStopsTheStartNamingTheCertificateProblem() throws Exception {
    RedisServer.require();
    TestCa real = TestCa.create(dir, "real");
    TestCa other = TestCa.create(dir, "other");
    try (RedisServer redis = startTls(real.issue(dir, "redis-real"), null)) {
      String url = "rediss://127.0.0.1:" + redis.tlsPort();
      HeraldProcess.Exit wrongCa =
          ClusterTest.node(
                  redis,
                  "REDIS_URL",
                  url,
                  "HERALD_REDIS_TLS_CA_FILE",
                  other.certificate().toString())
              .runExpectingExit();
      assertRefusedForItsCertificate(wrongCa, url);
      // Verification is on without a CA file too: the JVM's trust store does not know this CA.
      HeraldProcess.Exit noCa = ClusterTest.node(redis, "REDIS_URL", url).runExpectingExit();
      assertRefusedForItsCertificate(noCa, url);
    }
  }

  @Test
  void aCaFileWithoutRedissIsAConfigurationError() throws Exception {
    TestCa ca = TestCa.create(dir, "plain");
    HeraldProcess.Exit exit =
        HeraldProcess.withDefaults()
            .env("HERALD_SCALING", "redis")
            .env("REDIS_URL", "redis://127.0.0.1:6379")
            .env("HERALD_REDIS_TLS_CA_FILE", ca.certificate().toString())
            .runExpectingExit();
    assertEquals(2, exit.code(), exit.output());
    assertTrue(
        exit.output()
            .contains(
                "HERALD_REDIS_TLS_CA_FILE: is set but Redis is reached without TLS (use rediss://)"),
        exit.output());
  }

  /**
   * Subscribes one client on each of the two {@code nodes}, awaits both counted, triggers through
   * {@code nodes.get(sender)} and asserts both clients receive the event; stops the nodes after.
   */
  private static void assertTwoNodesRelay(
      List<HeraldProcess> nodes, String channel, int sender, String data) {
    HeraldProcess a = nodes.get(0);
    HeraldProcess b = nodes.get(1);
    try (RawClient onA = RawClient.open(a.wsUrl());
        RawClient onB = RawClient.open(b.wsUrl())) {
      FailoverScenario.subscribeBoth(onA, onB, channel, a, ClusterTest.SETTLE);
      nodes.get(sender).api().trigger(channel, "over-tls", data);
      onA.assertNext(event(channel, "over-tls", data));
      onB.assertNext(event(channel, "over-tls", data));
    } finally {
      ClusterTest.closeAll(a, b);
    }
  }

  private static void assertRefusedForItsCertificate(HeraldProcess.Exit exit, String url) {
    assertEquals(1, exit.code(), exit.output());
    assertTrue(exit.output().contains("cannot reach Redis at " + url + ": "), exit.output());
    assertTrue(
        exit.output().contains("PKIX path building failed")
            || exit.output().contains("unable to find valid certification path"),
        exit.output());
  }

  private static RedisClusterSet startCluster(TestCa.Issued certificate, Path ca) {
    return RedisClusterSet.start(dir, certificate.certificate(), certificate.privateKey(), ca);
  }

  /**
   * A server that also listens with TLS on its {@link RedisServer#tlsPort()}, presenting {@code
   * server} and, when {@code clientsCa} is not null, requiring a client certificate that CA issued.
   */
  static RedisServer startTls(TestCa.Issued server, Path clientsCa) {
    List<String> extra =
        new ArrayList<>(
            List.of(
                "--tls-port",
                Integer.toString(Ports.free()),
                "--tls-cert-file",
                server.certificate().toString(),
                "--tls-key-file",
                server.privateKey().toString()));
    if (clientsCa != null) {
      extra.addAll(
          List.of("--tls-ca-cert-file", clientsCa.toString(), "--tls-auth-clients", "yes"));
    } else {
      extra.addAll(List.of("--tls-auth-clients", "no"));
    }
    return RedisServer.start(extra);
  }
}
