package dev.herald.doctor;

/**
 * Where the doctor talks to the server: scheme ({@code http} or {@code https}, for the HTTP API;
 * the WebSocket uses {@code ws}/{@code wss} accordingly), host, port and mount prefix ({@code ""}
 * or {@code /ws}). Steps that find the settings wrong (the port speaks TLS, the server lives under
 * a prefix) go on with a corrected target, so one run reports every problem rather than the first.
 * {@code verifyCertificate} is false only after the certificate step has already failed.
 */
record Target(String scheme, String host, int port, String path, boolean verifyCertificate) {

  boolean tls() {
    return "https".equals(scheme);
  }

  /** The host as it appears in a URL and a {@code Host} header (IPv6 in brackets). */
  String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  String httpUrl(String pathAndQuery) {
    return scheme + "://" + authority() + path + pathAndQuery;
  }

  String wsUrl(String pathAndQuery) {
    return (tls() ? "wss" : "ws") + "://" + authority() + path + pathAndQuery;
  }

  Target withScheme(String newScheme) {
    return new Target(newScheme, host, port, path, verifyCertificate);
  }

  Target withPath(String newPath) {
    return new Target(scheme, host, port, newPath, verifyCertificate);
  }

  Target withoutCertificateChecks() {
    return new Target(scheme, host, port, path, false);
  }
}
