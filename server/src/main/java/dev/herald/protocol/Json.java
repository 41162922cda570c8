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

  /**
   * Appends {@code value} escaped as the inside of a JSON string literal, without quotes: for JSON
   * text written straight into a string that holds JSON (Pusher's {@code data}). Escapes exactly as
   * Jackson's {@code JsonStringEncoder} does (quote, backslash, the short forms of backspace, tab,
   * newline, form feed and carriage return, a six-character unicode escape for other control
   * characters, everything else as it is), without its intermediate buffers.
   */
  public static StringBuilder appendEscaped(StringBuilder out, CharSequence value) {
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        out.append(c);
      } else {
        appendEscape(out, c);
      }
    }
    return out;
  }

  /**
   * Appends {@code value} as a JSON string literal, escaped once more as the inside of an outer
   * JSON string, as {@code quote} twice would give it but in one pass and without copies.
   */
  public static StringBuilder appendQuotedEscaped(StringBuilder out, String value) {
    out.append("\\\"");
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        out.append(c);
      } else if (c == '"') {
        out.append("\\\\\\\"");
      } else if (c == '\\') {
        out.append("\\\\\\\\");
      } else {
        // A control character's escape is a backslash and letters or digits: only the backslash
        // needs escaping again.
        out.append('\\');
        appendEscape(out, c);
      }
    }
    return out.append("\\\"");
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static void appendEscape(StringBuilder out, char c) {
    switch (c) {
      case '"' -> out.append("\\\"");
      case '\\' -> out.append("\\\\");
      case '\b' -> out.append("\\b");
      case '\t' -> out.append("\\t");
      case '\n' -> out.append("\\n");
      case '\f' -> out.append("\\f");
      case '\r' -> out.append("\\r");
      default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
    }
  }
}
