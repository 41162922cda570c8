package dev.herald.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The browser origins an app accepts WebSocket connections from. Entries are {@code *}, a host
 * ({@code app.test}), a wildcard host ({@code *.example.com}: subdomains only) or a full origin
 * ({@code https://app.test:8443}: scheme, host and port must all match). Immutable.
 */
public record AllowedOrigins(List<String> entries) {

  public AllowedOrigins {
    entries = List.copyOf(entries);
  }

  public static AllowedOrigins parse(String commaList, String source) {
    List<String> entries = new ArrayList<>();
    for (String raw : commaList.split(",")) {
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains("://")) {
        URI uri;
        try {
          uri = URI.create(entry);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(source, "\"" + raw.trim() + "\" is not an origin");
        }
        if (uri.getHost() == null) {
          throw new ConfigException(source, "\"" + raw.trim() + "\" is not an origin");
        }
      }
      entries.add(entry);
    }
    if (entries.isEmpty()) {
      throw new ConfigException(source, "must list at least one origin, or *");
    }
    return new AllowedOrigins(entries);
  }

  public boolean allowsAll() {
    return entries.contains("*");
  }

  /**
   * Whether a connection with this {@code Origin} header may connect. A missing header (a client
   * that is not a browser) is allowed: only browsers send it, and others could forge it anyway.
   */
  public boolean allows(String origin) {
    if (origin == null || origin.isBlank() || allowsAll()) {
      return true;
    }
    URI uri;
    try {
      uri = URI.create(origin.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
    String host = uri.getHost();
    if (host == null) {
      return false;
    }
    for (String entry : entries) {
      if (entry.contains("://")) {
        if (sameOrigin(URI.create(entry), uri)) {
          return true;
        }
      } else if (entry.startsWith("*.")) {
        if (host.endsWith(entry.substring(1)) && host.length() > entry.length() - 1) {
          return true;
        }
      } else if (entry.equals(host)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameOrigin(URI allowed, URI given) {
    return allowed.getScheme().equals(given.getScheme())
        && allowed.getHost().equals(given.getHost())
        && port(allowed) == port(given);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equals(uri.getScheme()) || "wss".equals(uri.getScheme()) ? 443 : 80;
  }
}
