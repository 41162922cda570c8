package dev.herald.auth;

import dev.herald.auth.RequestVerifier.AuthenticationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The query string of an HTTP API request, parsed once: the one view from which the signature is
 * computed, the timestamp and {@code body_md5} are checked, and the route handlers read {@code
 * info} and {@code filter_by_prefix}. Keeping a single view is what makes the signature bind the
 * values the server acts on: when the signed string and the checked values came from two readings
 * of the query, a captured request could be replayed with a fresh {@code auth_timestamp} (and a new
 * body) added under another letter case.
 *
 * <p>Keys are percent-decoded and lower-cased, as the Pusher signing rules lower-case them. A key
 * that appears under two spellings ({@code info} and {@code INFO}) is refused, and so is any
 * repetition of the signing parameters; a plain repetition of another key ({@code k[]=a&k[]=b},
 * PHP's arrays) is one value joined with commas, as the signing rules join it. Immutable;
 * thread-safe.
 */
public final class ApiQuery {

  /** Parameters that carry the signature itself: each may appear once. */
  private static final Set<String> SIGNING_KEYS =
      Set.of("auth_key", "auth_timestamp", "auth_version", "auth_signature", "body_md5");

  /** More parameters than any Pusher endpoint takes, by far: refused before any work. */
  static final int MAX_PARAMETERS = 64;

  private final Map<String, String> values;

  private ApiQuery(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  /** The empty query. */
  public static ApiQuery empty() {
    return new ApiQuery(new TreeMap<>());
  }

  /**
   * Parses a raw query string ({@code a=1&b=2}, without the {@code ?}; null or empty for none).
   *
   * @throws AuthenticationException when a key repeats under another spelling, a signing parameter
   *     repeats, a percent escape is malformed, or there are more than {@value #MAX_PARAMETERS}
   *     parameters
   */
  public static ApiQuery parse(String rawQuery) {
    TreeMap<String, String> values = new TreeMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return new ApiQuery(values);
    }
    Map<String, String> spellings = new TreeMap<>();
    int count = 0;
    for (String pair : rawQuery.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      if (++count > MAX_PARAMETERS) {
        throw new AuthenticationException(
            "Too many query parameters (at most " + MAX_PARAMETERS + ")");
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      String lower = key.toLowerCase(Locale.ROOT);
      String seen = spellings.putIfAbsent(lower, key);
      if (seen == null) {
        values.put(lower, value);
      } else if (!seen.equals(key)) {
        throw new AuthenticationException(
            "Query parameter " + lower + " is given twice, as " + seen + " and as " + key);
      } else if (SIGNING_KEYS.contains(lower)) {
        throw new AuthenticationException("Query parameter " + lower + " is given more than once");
      } else {
        values.put(lower, values.get(lower) + "," + value);
      }
    }
    return new ApiQuery(values);
  }

  /** The value of {@code key} (lower case), if the request has it. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** The value of {@code key} (lower case), or null. */
  String valueOrNull(String key) {
    return values.get(key);
  }

  /**
   * Every parameter but {@code auth_signature}, sorted by key, joined as {@code k=v} with {@code
   * &}; values stay decoded: the last line of the string to sign.
   */
  public String canonical() {
    List<String> pairs = new ArrayList<>(values.size());
    values.forEach(
        (key, value) -> {
          if (!key.equals("auth_signature")) {
            pairs.add(key + "=" + value);
          }
        });
    return String.join("&", pairs);
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new AuthenticationException("Malformed percent escape in the query string");
    }
  }

  @Override
  public String toString() {
    return "ApiQuery" + values.keySet();
  }
}
