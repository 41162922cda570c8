package dev.herald.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which Redis Herald's nodes share, and how to reach it: one server, a master found through
 * Sentinel, or a Redis Cluster found from seed nodes; over TLS when the URLs say {@code rediss://}
 * (or {@code redis_tls} is on), with the server's certificate verified against the JVM's trust
 * store or {@code redis_tls_ca_file}, and its host name checked. Immutable.
 *
 * @param kind standalone, sentinel or cluster
 * @param endpoints the server's URL (standalone), the sentinels' URLs (their path is the database
 *     selected on the master), or the cluster's seed URLs
 * @param masterName the master's name in Sentinel, or null
 * @param caFile PEM file of the CAs that may sign the server certificate; null for the JVM's own
 * @param certFile PEM client certificate for servers that ask for one (tls-auth-clients), or null
 * @param keyFile PEM private key of {@code certFile}, or null
 */
public record RedisTopology(
    Kind kind,
    List<String> endpoints,
    String masterName,
    String caFile,
    String certFile,
    String keyFile) {

  /** How the Redis is laid out. */
  public enum Kind {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  public RedisTopology {
    endpoints = List.copyOf(endpoints);
  }

  /** Whether the connections use TLS (every endpoint has the same scheme). */
  public boolean tls() {
    return endpoints.get(0).startsWith("rediss:");
  }

  /** The endpoints as an operator may read them (passwords masked), for logs and errors. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    for (String endpoint : endpoints) {
      text.append(text.length() == 0 ? "" : ",").append(Redacted.url(endpoint));
    }
    return switch (kind) {
      case STANDALONE -> text.toString();
      case SENTINEL -> "master \"" + masterName + "\" via sentinels " + text;
      case CLUSTER -> "cluster seeds " + text;
    };
  }

  /**
   * Reads the topology. {@code url} is the standalone server's URL (REDIS_URL or the one built from
   * REDIS_HOST and friends); its credentials and scheme also apply to sentinel and cluster entries
   * written as bare {@code host:port}.
   */
  static RedisTopology from(Section section, String url) {
    boolean tls = section.bool("redis_tls") || url.startsWith("rediss:");
    String sentinels = section.string("redis_sentinels").trim();
    String seeds = section.string("redis_cluster_nodes").trim();
    Kind fallback =
        !sentinels.isEmpty() ? Kind.SENTINEL : !seeds.isEmpty() ? Kind.CLUSTER : Kind.STANDALONE;
    Kind kind = section.oneOf("redis_topology", fallback, Kind.class);
    List<String> endpoints;
    String master = null;
    switch (kind) {
      case SENTINEL -> {
        // The database (REDIS_DB, or REDIS_URL's path) is selected on the master.
        String database = URI.create(url).getRawPath();
        endpoints = list(section, "redis_sentinels", sentinels, url, tls, 26379, database);
        master = section.string("redis_sentinel_master").trim();
        if (master.isEmpty()) {
          throw new ConfigException(
              section.source("redis_sentinel_master"),
              "is required with Sentinel: the name the sentinels monitor the master under");
        }
      }
      case CLUSTER -> {
        String database = URI.create(url).getRawPath();
        if (database != null
            && !database.isEmpty()
            && !database.equals("/")
            && !database.equals("/0")) {
          String where = section.has("redis_url") ? "redis_url" : "redis_db";
          throw new ConfigException(
              section.source(where),
              "a Redis Cluster has only database 0, got " + database.substring(1));
        }
        endpoints = list(section, "redis_cluster_nodes", seeds, url, tls, 6379, "");
      }
      default -> endpoints = List.of(tls ? withScheme(url, "rediss") : url);
    }
    String ca = file(section, "redis_tls_ca_file");
    String cert = file(section, "redis_tls_cert_file");
    String key = file(section, "redis_tls_key_file");
    if ((cert == null) != (key == null)) {
      String missing = cert == null ? "redis_tls_cert_file" : "redis_tls_key_file";
      throw new ConfigException(
          section.source(missing), "is required when the other half of the client key pair is set");
    }
    RedisTopology topology = new RedisTopology(kind, endpoints, master, ca, cert, key);
    if (!topology.tls() && (ca != null || cert != null)) {
      String set = ca != null ? "redis_tls_ca_file" : "redis_tls_cert_file";
      throw new ConfigException(
          section.source(set), "is set but Redis is reached without TLS (use rediss://)");
    }
    return topology;
  }

  /** A comma-separated list of {@code host[:port]} or URLs, all with one scheme. */
  private static List<String> list(
      Section section,
      String key,
      String text,
      String url,
      boolean tls,
      int defaultPort,
      String database) {
    if (text.isEmpty()) {
      throw new ConfigException(section.source(key), "is required for this redis_topology");
    }
    URI base = URI.create(url);
    String credentials = base.getRawUserInfo() == null ? "" : base.getRawUserInfo() + "@";
    List<String> urls = new ArrayList<>();
    for (String raw : text.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      if (!entry.contains("://")) {
        entry =
            (tls ? "rediss" : "redis")
                + "://"
                + credentials
                + entry
                + (entry.matches(".*:\\d+$") ? "" : ":" + defaultPort)
                + (database == null ? "" : database);
      }
      URI uri;
      try {
        uri = URI.create(entry);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            section.source(key), "an entry is not a URL: " + ConfigException.withoutInput(e));
      }
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("redis") && !scheme.equals("rediss")) {
        throw new ConfigException(
            section.source(key), "entries must be host:port, redis:// or rediss:// URLs");
      }
      if (uri.getHost() == null) {
        throw new ConfigException(
            section.source(key), "an entry has no host: " + Redacted.url(entry));
      }
      urls.add(entry);
    }
    if (urls.isEmpty()) {
      throw new ConfigException(section.source(key), "lists no server");
    }
    boolean first = urls.get(0).startsWith("rediss:");
    for (String each : urls) {
      if (each.startsWith("rediss:") != first || (tls && !first)) {
        throw new ConfigException(
            section.source(key),
            "mixes redis:// and rediss:// (TLS is used for every connection or for none)");
      }
    }
    return urls;
  }

  private static String file(Section section, String key) {
    String value = section.string(key).trim();
    if (value.isEmpty()) {
      return null;
    }
    if (!Files.isReadable(Path.of(value))) {
      throw new ConfigException(section.source(key), "cannot read " + value);
    }
    return value;
  }

  private static String withScheme(String url, String scheme) {
    return scheme + url.substring(url.indexOf(':'));
  }
}
