package dev.herald.config;

import java.util.ArrayList;
import java.util.List;

/**
 * How long a client may take and how many connections it may hold, how Herald resolves host names,
 * and the largest WebSocket message any connection may send. Immutable.
 *
 * @param requestTimeoutSeconds a new connection must deliver a complete request head (a WebSocket
 *     handshake included) within this, and a request's body must be complete this long after its
 *     head; otherwise the connection is closed (408 when a response is still possible)
 * @param keepAliveTimeoutSeconds an HTTP connection must deliver its next complete request head
 *     within this after the previous request; an idle keep-alive connection is closed then. Longer
 *     than the upstream keep-alive of nginx (60 s) and Caddy (120 s), so a proxy never reuses a
 *     connection Herald is closing
 * @param maxConnectionsPerIp WebSocket connections one client address may hold at once; 0 = no
 *     limit
 * @param dnsServers DNS servers ({@code host} or {@code host:port}, IP literals) for webhook, Redis
 *     and database host names; empty = the system's ({@code /etc/resolv.conf})
 * @param maxWebSocketMessageSize largest WebSocket message (one frame or its fragments together) of
 *     any connection; 0 = automatic: the larger of 256 KiB and twice the largest {@code
 *     max_message_size} of a configured app
 */
public record ConnectionSettings(
    int requestTimeoutSeconds,
    int keepAliveTimeoutSeconds,
    int maxConnectionsPerIp,
    List<String> dnsServers,
    int maxWebSocketMessageSize) {

  public ConnectionSettings {
    dnsServers = List.copyOf(dnsServers);
  }

  /** The defaults, as a server without these settings gets them. */
  public static ConnectionSettings defaults() {
    return from(new Section("defaults"));
  }

  static ConnectionSettings from(Section section) {
    return new ConnectionSettings(
        section.integer("request_timeout"),
        section.integer("keep_alive_timeout"),
        section.integer("max_connections_per_ip"),
        dnsServers(section),
        section.integer("max_websocket_message_size"));
  }

  /**
   * The servers as given. Only IP literals are accepted: resolving the resolver's own name would
   * need a resolver.
   */
  private static List<String> dnsServers(Section section) {
    List<String> servers = new ArrayList<>();
    for (String raw : section.string("dns_servers").split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      if (!entry.matches("\\d{1,3}(\\.\\d{1,3}){3}(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+](:\\d{1,5})?")) {
        throw new ConfigException(
            section.source("dns_servers"),
            "\""
                + entry
                + "\" is not an IP address with an optional port, like 10.0.0.2 or"
                + " 10.0.0.2:5353 ([::1]:53 for IPv6)");
      }
      servers.add(entry);
    }
    return servers;
  }

  /**
   * The WebSocket message ceiling for apps whose largest {@code max_message_size} is {@code
   * largestAppMessage}: frames a little over an app's limit still arrive whole, so the client gets
   * 4300 rather than a dropped connection.
   */
  public int webSocketMessageCeiling(int largestAppMessage) {
    if (maxWebSocketMessageSize > 0) {
      return maxWebSocketMessageSize;
    }
    return (int) Math.min(64L * 1024 * 1024, Math.max(256L * 1024, 2L * largestAppMessage));
  }
}
