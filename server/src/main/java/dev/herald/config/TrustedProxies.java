package dev.herald.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reverse proxies whose {@code X-Forwarded-For} Herald believes (setting {@code
 * trusted_proxies}, e.g. {@code 127.0.0.1,10.0.0.0/8}), so the per-IP connection limit counts the
 * client behind nginx rather than nginx itself. Empty (the default) trusts nobody: the TCP peer is
 * the client, and a forwarded header, which any client can send, is ignored. Immutable.
 */
public record TrustedProxies(List<Range> ranges) {

  /** An address or CIDR block: the first {@code prefixLength} bits of {@code network}. */
  public record Range(byte[] network, int prefixLength) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int fullBytes = prefixLength / 8;
      for (int i = 0; i < fullBytes; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int restBits = prefixLength % 8;
      if (restBits == 0) {
        return true;
      }
      int mask = (0xFF << (8 - restBits)) & 0xFF;
      return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }
  }

  public TrustedProxies {
    ranges = List.copyOf(ranges);
  }

  /** Nobody is trusted. */
  public static TrustedProxies none() {
    return new TrustedProxies(List.of());
  }

  /** Parses a comma list of IP addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}). */
  public static TrustedProxies parse(String commaList, String source) {
    List<Range> ranges = new ArrayList<>();
    for (String raw : commaList.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      byte[] network = literal(slash < 0 ? entry : entry.substring(0, slash));
      if (network == null) {
        throw new ConfigException(
            source, "\"" + entry + "\" is not an IP address or CIDR block like 10.0.0.0/8");
      }
      int bits = network.length * 8;
      int prefixLength = bits;
      if (slash >= 0) {
        try {
          prefixLength = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefixLength = -1;
        }
        if (prefixLength < 0 || prefixLength > bits) {
          throw new ConfigException(
              source, "\"" + entry + "\": the prefix length must be 0 to " + bits);
        }
      }
      ranges.add(new Range(network, prefixLength));
    }
    return new TrustedProxies(ranges);
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /**
   * The address a connection is counted under. When {@code peer} (the TCP peer) is a trusted proxy,
   * the {@code X-Forwarded-For} entries are read from the right, each added by the hop in front of
   * the one before, and the first that is not itself a trusted proxy is the client: entries further
   * left were written by the client and prove nothing. An entry that is not an IP address ends the
   * walk at the last trusted hop. Otherwise, and without the header, the peer itself.
   *
   * @param forwardedFor the {@code X-Forwarded-For} header values in order (several headers count
   *     as one comma list)
   */
  public String clientAddress(String peer, List<String> forwardedFor) {
    if (peer == null || ranges.isEmpty() || forwardedFor.isEmpty() || !trusted(literal(peer))) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    String client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] address = literal(hops.get(i));
      if (address == null) {
        return client;
      }
      client = hops.get(i);
      if (!trusted(address)) {
        return client;
      }
    }
    return client;
  }

  private boolean trusted(byte[] address) {
    if (address == null) {
      return false;
    }
    for (Range range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The bytes of an IPv4 or IPv6 literal, or null for anything else. Host names are refused before
   * {@link InetAddress} sees them, so this never does a DNS lookup.
   */
  private static byte[] literal(String text) {
    String candidate = text.trim();
    if (candidate.startsWith("[") && candidate.endsWith("]")) {
      candidate = candidate.substring(1, candidate.length() - 1);
    }
    if (candidate.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      byte[] bytes = new byte[4];
      String[] parts = candidate.split("\\.");
      for (int i = 0; i < 4; i++) {
        int part = Integer.parseInt(parts[i]);
        if (part > 255) {
          return null;
        }
        bytes[i] = (byte) part;
      }
      return bytes;
    }
    // InetAddress parses a literal only when the text starts with a hex digit or a colon; anything
    // else (".:1") it would look up in DNS, on the event loop that asked.
    if (!candidate.contains(":") || !candidate.matches("[0-9A-Fa-f:][0-9A-Fa-f:.]*")) {
      return null;
    }
    try {
      // A text with a colon is only ever parsed as an IPv6 literal, never looked up. IPv4-mapped
      // addresses come back as IPv4, so both spellings match an IPv4 range.
      return InetAddress.getByName(candidate).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
