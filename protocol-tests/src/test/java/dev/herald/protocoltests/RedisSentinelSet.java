package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A master, one replica and three sentinels (quorum 2) on free loopback ports, without persistence,
 * for failover tests: the sentinels declare the master down after {@link #DOWN_AFTER_MILLIS}
 * without an answer and promote the replica. Optionally everything also speaks TLS. Not
 * thread-safe.
 */
final class RedisSentinelSet implements AutoCloseable {

  /** The name the sentinels monitor the master under. */
  static final String MASTER_NAME = "herald-master";

  /** How long the master may stay silent before a sentinel thinks it is down. */
  static final int DOWN_AFTER_MILLIS = 1000;

  private final RedisServer master;
  private final RedisServer replica;
  private final List<Process> sentinels = new ArrayList<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();
  private final List<Integer> sentinelTlsPorts = new ArrayList<>();

  /** TLS settings as name/value pairs (redis.conf names), or empty without TLS. */
  private final List<String> tls;

  private RedisSentinelSet(RedisServer master, RedisServer replica, List<String> tls) {
    this.master = master;
    this.replica = replica;
    this.tls = tls;
  }

  /**
   * Starts the set and returns once the replica is in sync and every sentinel knows the replica and
   * the two other sentinels (without which no failover can be agreed).
   */
  static RedisSentinelSet start(Path dir) {
    return start(dir, null, null);
  }

  /**
   * As {@link #start(Path)}, but when {@code certificate} is not null every process also listens
   * with TLS presenting it, replication and the sentinels' links go over TLS, and the sentinels
   * name the master by its TLS port; {@code ca} is the CA they verify each other with.
   */
  static RedisSentinelSet start(Path dir, TestCa.Issued certificate, Path ca) {
    List<String> tls =
        certificate == null
            ? List.of()
            : List.of(
                "tls-cert-file",
                certificate.certificate().toString(),
                "tls-key-file",
                certificate.privateKey().toString(),
                "tls-ca-cert-file",
                ca.toString(),
                "tls-auth-clients",
                "no",
                "tls-replication",
                "yes");
    RedisServer master = RedisServer.start(withTlsPort(tls));
    RedisServer replica;
    try {
      List<String> args = new ArrayList<>(withTlsPort(tls));
      int masterPort = tls.isEmpty() ? master.port() : master.tlsPort();
      args.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
      replica = RedisServer.start(args);
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
    RedisSentinelSet set = new RedisSentinelSet(master, replica, tls);
    try {
      for (int i = 0; i < 3; i++) {
        set.startSentinel(dir);
      }
      set.awaitSettled();
      return set;
    } catch (RuntimeException e) {
      set.close();
      throw e;
    }
  }

  /** redis-server arguments for {@code tls} with a free TLS port; none without TLS. */
  private static List<String> withTlsPort(List<String> tls) {
    List<String> args = new ArrayList<>();
    if (!tls.isEmpty()) {
      args.addAll(List.of("--tls-port", Integer.toString(Ports.free())));
      for (int i = 0; i < tls.size(); i += 2) {
        args.add("--" + tls.get(i));
        args.add(tls.get(i + 1));
      }
    }
    return args;
  }

  /** The port clients of this set reach a server on: its TLS port when the set uses TLS. */
  private int clientPort(RedisServer server) {
    return tls.isEmpty() ? server.port() : server.tlsPort();
  }

  private void startSentinel(Path dir) {
    int port = Ports.free();
    int tlsPort = Ports.free();
    Path config = dir.resolve("sentinel-" + port + ".conf");
    List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1"));
    if (!tls.isEmpty()) {
      lines.add("tls-port " + tlsPort);
      for (int i = 0; i < tls.size(); i += 2) {
        lines.add(tls.get(i) + " " + tls.get(i + 1));
      }
    }
    lines.addAll(
        List.of(
            "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + clientPort(master) + " 2",
            "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS,
            "sentinel failover-timeout " + MASTER_NAME + " 10000",
            "sentinel parallel-syncs " + MASTER_NAME + " 1",
            ""));
    try {
      Files.writeString(config, String.join("\n", lines));
      Path log = Files.createDirectories(Path.of("target", "redis-logs"));
      Process process =
          new ProcessBuilder("redis-server", config.toString(), "--sentinel")
              .redirectErrorStream(true)
              .redirectOutput(log.resolve("sentinel-" + port + ".log").toFile())
              .start();
      sentinels.add(process);
      sentinelPorts.add(port);
      sentinelTlsPorts.add(tlsPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitSettled() {
    Duration within = Duration.ofSeconds(30);
    RedisCli.await(
        master.port(), within, out -> out.contains("connected_slaves:1"), "INFO", "replication");
    RedisCli.await(
        replica.port(),
        within,
        out -> out.contains("master_link_status:up"),
        "INFO",
        "replication");
    for (int port : sentinelPorts) {
      RedisCli.await(
          port,
          within,
          out -> out.contains("num-other-sentinels\n2") && out.contains("num-slaves\n1"),
          "SENTINEL",
          "MASTER",
          MASTER_NAME);
    }
  }

  /** The sentinels as Herald's HERALD_REDIS_SENTINELS takes them. */
  String sentinels() {
    if (!tls.isEmpty()) {
      return String.join(
          ",", sentinelTlsPorts.stream().map(port -> "rediss://127.0.0.1:" + port).toList());
    }
    return String.join(",", sentinelPorts.stream().map(port -> "127.0.0.1:" + port).toList());
  }

  /** The plain port of one of the sentinels. */
  int anySentinel() {
    return sentinelPorts.get(0);
  }

  RedisServer master() {
    return master;
  }

  RedisServer replica() {
    return replica;
  }

  /** Waits until every sentinel names the replica as the master. */
  void awaitReplicaPromoted(Duration within) {
    for (int port : sentinelPorts) {
      RedisCli.await(
          port,
          within,
          out -> out.endsWith("\n" + clientPort(replica)),
          "SENTINEL",
          "GET-MASTER-ADDR-BY-NAME",
          MASTER_NAME);
    }
    RedisCli.await(
        replica.port(), within, out -> out.contains("role:master"), "INFO", "replication");
  }

  @Override
  public void close() {
    for (Process sentinel : sentinels) {
      sentinel.destroy();
    }
    for (Process sentinel : sentinels) {
      try {
        if (!sentinel.waitFor(10, TimeUnit.SECONDS)) {
          sentinel.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    replica.close();
    master.close();
  }
}
