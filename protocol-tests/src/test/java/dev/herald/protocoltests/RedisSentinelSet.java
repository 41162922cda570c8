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
 * without an answer and promote the replica. Not thread-safe.
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

  private RedisSentinelSet(RedisServer master, RedisServer replica) {
    this.master = master;
    this.replica = replica;
  }

  /**
   * Starts the set and returns once the replica is in sync and every sentinel knows the replica and
   * the two other sentinels (without which no failover can be agreed).
   */
  static RedisSentinelSet start(Path dir) {
    RedisServer master = RedisServer.start();
    RedisServer replica;
    try {
      replica =
          RedisServer.start(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
    RedisSentinelSet set = new RedisSentinelSet(master, replica);
    try {
      for (int i = 0; i < 3; i++) {
        set.startSentinel(dir, i);
      }
      set.awaitSettled();
      return set;
    } catch (RuntimeException e) {
      set.close();
      throw e;
    }
  }

  private void startSentinel(Path dir, int index) {
    int port = RedisServer.freePort();
    Path config = dir.resolve("sentinel-" + port + ".conf");
    try {
      Files.writeString(
          config,
          String.join(
              "\n",
              "port " + port,
              "bind 127.0.0.1",
              "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
              "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS,
              "sentinel failover-timeout " + MASTER_NAME + " 10000",
              "sentinel parallel-syncs " + MASTER_NAME + " 1",
              ""));
      Path log = Files.createDirectories(Path.of("target", "redis-logs"));
      Process process =
          new ProcessBuilder("redis-server", config.toString(), "--sentinel")
              .redirectErrorStream(true)
              .redirectOutput(log.resolve("sentinel-" + port + ".log").toFile())
              .start();
      sentinels.add(process);
      sentinelPorts.add(port);
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
    return String.join(",", sentinelPorts.stream().map(port -> "127.0.0.1:" + port).toList());
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
          out -> out.endsWith("\n" + replica.port()),
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
