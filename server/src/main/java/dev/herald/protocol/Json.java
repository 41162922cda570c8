package dev.herald.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Small helpers for writing JSON text by hand on hot paths. Stateless and thread-safe. */
public final class Json {
  private Json() {}

  /** {@code value} as a JSON string literal, quotes included. */
  public static String quote(String value) {
    char[] escaped = JsonStringEncoder.getInstance().quoteAsString(value);
    return new StringBuilder(escaped.length + 2).append('"').append(escaped).append('"').toString();
  }

  /** Appends {@code value} as a JSON string literal, or {@code null}. */
  public static StringBuilder appendQuoted(StringBuilder out, String value) {
    if (value == null) {
      return out.append("null");
    }
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, out);
    return out.append('"');
  }
}
