package dev.herald.protocoltests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster of three masters and three replicas on free loopback ports, created with {@code
 * redis-cli --cluster create}, without persistence, that fails a master over after {@link
 * #NODE_TIMEOUT_MILLIS} of silence. Not thread-safe.
 */
public final class RedisClusterSet implements AutoCloseable {

  /** How long a master may stay silent before the cluster fails it over. */
  public static final int NODE_TIMEOUT_MILLIS = 1000;

  private final List<RedisServer> servers;
  private final boolean tls;

  private RedisClusterSet(List<RedisServer> servers, boolean tls) {
    this.servers = servers;
    this.tls = tls;
  }

  /** Starts six servers, makes them a cluster and returns once every node reports it ok. */
  public static RedisClusterSet start(Path dir) {
    return start(dir, null, null, null);
  }

  /**
   * As {@link #start(Path)}, but when {@code certificate} (PEM, with its {@code key}) is not null
   * the nodes also listen with TLS, presenting it, talk to each other over TLS, and tell TLS
   * clients their TLS ports; {@code ca} is the CA file redis-cli verifies them with.
   */
  public static RedisClusterSet start(Path dir, Path certificate, Path key, Path ca) {
    List<RedisServer> servers = new ArrayList<>();
    RedisClusterSet set = new RedisClusterSet(servers, certificate != null);
    try {
      for (int i = 0; i < 6; i++) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    dir.resolve("nodes-" + System.nanoTime() + "-" + i + ".conf")
                        .toAbsolutePath()
                        .toString(),
                    "--cluster-node-timeout",
                    Integer.toString(NODE_TIMEOUT_MILLIS),
                    // A replica may take over however long its master has been silent: with a
                    // frozen (not dead) master it otherwise counts its data as too old.
                    "--cluster-replica-validity-factor",
                    "0",
                    // Free too: the default (port + 10000) is out of range for high free ports.
                    "--cluster-port",
                    Integer.toString(Ports.free())));
        if (certificate != null) {
          args.addAll(
              List.of(
                  "--tls-port",
                  Integer.toString(Ports.free()),
                  "--tls-cert-file",
                  certificate.toString(),
                  "--tls-key-file",
                  key.toString(),
                  "--tls-ca-cert-file",
                  ca.toString(),
                  "--tls-auth-clients",
                  "no",
                  "--tls-cluster",
                  "yes",
                  "--tls-replication",
                  "yes"));
        }
        servers.add(RedisServer.start(args));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli"));
      if (certificate != null) {
        create.addAll(List.of("--tls", "--cacert", ca.toString()));
      }
      create.addAll(List.of("--cluster", "create"));
      for (RedisServer server : servers) {
        create.add("127.0.0.1:" + (certificate != null ? server.tlsPort() : server.port()));
      }
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      String output = RedisCli.exec(create, Duration.ofSeconds(60));
      if (!output.contains("[OK] All 16384 slots covered")) {
        throw new IllegalStateException(
            "redis-cli --cluster create failed:\n"
                + output
                + "\n(server logs in target/redis-logs)");
      }
      set.awaitOk(Duration.ofSeconds(30));
      return set;
    } catch (RuntimeException e) {
      set.close();
      throw e;
    }
  }

  /** Waits until every running node says the cluster is ok and agrees on who serves each slot. */
  public void awaitOk(Duration within) {
    for (RedisServer server : servers) {
      if (server.isRunning()) {
        RedisCli.await(
            server.port(), within, out -> out.contains("cluster_state:ok"), "CLUSTER", "INFO");
      }
    }
    // Replicas in sync: one promoted before its first sync would make an empty master.
    for (RedisServer server : servers) {
      if (server.isRunning() && RedisCli.run(server.port(), "ROLE").startsWith("slave")) {
        RedisCli.await(
            server.port(),
            within,
            out -> out.contains("master_link_status:up"),
            "INFO",
            "replication");
      }
    }
    if (tls) {
      return; // --cluster check would need TLS too; every node saying ok is enough here
    }
    RedisServer any = servers.stream().filter(RedisServer::isRunning).findFirst().orElseThrow();
    RedisCli.await(
        any.port(),
        within,
        out ->
            out.contains("[OK] All nodes agree about slots configuration.")
                && out.contains("[OK] All 16384 slots covered.")
                && !out.contains("[WARNING]")
                && !out.contains("[ERR]"),
        "--cluster",
        "check",
        "127.0.0.1:" + any.port());
  }

  /** The seed list as Herald's HERALD_REDIS_CLUSTER_NODES takes it (every node). */
  public String seeds() {
    return String.join(
        ",",
        servers.stream()
            .map(s -> tls ? "rediss://127.0.0.1:" + s.tlsPort() : "127.0.0.1:" + s.port())
            .toList());
  }

  /** The running master that serves {@code slot}. */
  public RedisServer masterOf(int slot) {
    for (RedisServer server : servers) {
      if (server.isRunning()
          && RedisCli.run(server.port(), "ROLE").startsWith("master")
          && servesSlot(server, slot)) {
        return server;
      }
    }
    throw new IllegalStateException("no running master serves slot " + slot);
  }

  private static boolean servesSlot(RedisServer server, int slot) {
    // CLUSTER SHARDS would do from 7.0 on; CLUSTER NODES works everywhere: the "myself" line.
    for (String line : RedisCli.run(server.port(), "CLUSTER", "NODES").split("\n")) {
      if (line.contains("myself")) {
        String[] fields = line.trim().split(" ");
        for (int i = 8; i < fields.length; i++) {
          String range = fields[i];
          if (range.startsWith("[")) {
            continue;
          }
          String[] bounds = range.split("-");
          int from = Integer.parseInt(bounds[0]);
          int to = bounds.length > 1 ? Integer.parseInt(bounds[1]) : from;
          if (slot >= from && slot <= to) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The slot of a key, as the cluster computes it. */
  public int slotOf(String key) {
    return Integer.parseInt(RedisCli.run(servers.get(0).port(), "CLUSTER", "KEYSLOT", key));
  }

  /** The node id of a running node. */
  public static String nodeId(RedisServer server) {
    return RedisCli.run(server.port(), "CLUSTER", "MYID");
  }

  /** Any running master other than {@code not}. */
  public RedisServer otherMaster(RedisServer not) {
    for (RedisServer server : servers) {
      if (server != not
          && server.isRunning()
          && RedisCli.run(server.port(), "ROLE").startsWith("master")) {
        return server;
      }
    }
    throw new IllegalStateException("no other master");
  }

  /**
   * Moves one slot and its keys from {@code source} to {@code target} the way {@code redis-cli
   * --cluster reshard} does (IMPORTING, MIGRATING, MIGRATE in batches, then NODE on every master),
   * while clients keep using it; returns the number of keys moved.
   */
  public int migrate(int slot, RedisServer source, RedisServer target) {
    String sourceId = nodeId(source);
    String targetId = nodeId(target);
    String s = Integer.toString(slot);
    expectOk(RedisCli.run(target.port(), "CLUSTER", "SETSLOT", s, "IMPORTING", sourceId));
    expectOk(RedisCli.run(source.port(), "CLUSTER", "SETSLOT", s, "MIGRATING", targetId));
    int moved = 0;
    while (true) {
      String keys = RedisCli.run(source.port(), "CLUSTER", "GETKEYSINSLOT", s, "10");
      if (keys.isEmpty()) {
        break;
      }
      List<String> command =
          new ArrayList<>(
              List.of(
                  "redis-cli",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(source.port()),
                  "MIGRATE",
                  "127.0.0.1",
                  Integer.toString(target.port()),
                  "",
                  "0",
                  "5000",
                  "KEYS"));
      List<String> batch = List.of(keys.split("\n"));
      command.addAll(batch);
      String answer = RedisCli.exec(command, Duration.ofSeconds(30));
      if (!answer.equals("OK") && !answer.equals("NOKEY")) {
        throw new IllegalStateException("MIGRATE failed: " + answer);
      }
      moved += batch.size();
    }
    for (RedisServer server : servers) {
      if (server.isRunning() && RedisCli.run(server.port(), "ROLE").startsWith("master")) {
        expectOk(RedisCli.run(server.port(), "CLUSTER", "SETSLOT", s, "NODE", targetId));
      }
    }
    awaitOk(Duration.ofSeconds(30));
    return moved;
  }

  private static void expectOk(String answer) {
    if (!answer.equals("OK")) {
      throw new IllegalStateException("expected OK, got " + answer);
    }
  }

  public List<RedisServer> servers() {
    return servers;
  }

  @Override
  public void close() {
    servers.forEach(RedisServer::close);
  }
}
