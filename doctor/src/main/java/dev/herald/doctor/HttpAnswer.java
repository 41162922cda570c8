package dev.herald.doctor;

import java.util.Locale;
import java.util.Map;

/** An HTTP response as read off the wire: status, headers (lower-case names) and body text. */
record HttpAnswer(int status, String reason, Map<String, String> headers, String body) {

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The start of the body on one line, for messages. */
  String bodySnippet() {
    String flat = body.replaceAll("\\s+", " ").trim();
    return flat.length() > 120 ? flat.substring(0, 120) + "…" : flat;
  }

  String statusLine() {
    return status + (reason.isEmpty() ? "" : " " + reason);
  }
}
