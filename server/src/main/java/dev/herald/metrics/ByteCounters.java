package dev.herald.metrics;

/**
 * The four byte counters (WebSocket payloads and HTTP API bodies, in and out), named for Herald or
 * exactly as Soketi's Prometheus driver names them. Thread-safe.
 */
record ByteCounters(
    CounterFamily socketReceived,
    CounterFamily socketSent,
    CounterFamily httpReceived,
    CounterFamily httpSent) {

  /** Herald's names: {@code <prefix>_socket_bytes_received_total}, …, labelled by app. */
  static ByteCounters herald(String prefix) {
    return new ByteCounters(
        new CounterFamily(
            prefix + "_socket_bytes_received_total",
            "Payload bytes of WebSocket frames received from clients",
            "app_id"),
        new CounterFamily(
            prefix + "_socket_bytes_transmitted_total",
            "Payload bytes of WebSocket messages sent to clients",
            "app_id"),
        new CounterFamily(
            prefix + "_http_bytes_received_total",
            "Body bytes of the HTTP API requests of the app",
            "app_id"),
        new CounterFamily(
            prefix + "_http_bytes_transmitted_total",
            "Body bytes of the HTTP API responses to the app",
            "app_id"));
  }

  /**
   * Soketi's names, help texts and labels (src/metrics/prometheus-metrics-driver.ts, 1.6): no
   * {@code _total}, labelled by app and port.
   */
  static ByteCounters soketi() {
    return new ByteCounters(
        new CounterFamily(
            "soketi_socket_received_bytes",
            "Total amount of bytes that soketi received.",
            "app_id",
            "port"),
        new CounterFamily(
            "soketi_socket_transmitted_bytes",
            "Total amount of bytes that soketi transmitted.",
            "app_id",
            "port"),
        new CounterFamily(
            "soketi_http_received_bytes",
            "Total amount of bytes that soketi's REST API received.",
            "app_id",
            "port"),
        new CounterFamily(
            "soketi_http_transmitted_bytes",
            "Total amount of bytes that soketi's REST API sent back.",
            "app_id",
            "port"));
  }

  void writeTo(StringBuilder out) {
    socketReceived.writeTo(out);
    socketSent.writeTo(out);
    httpReceived.writeTo(out);
    httpSent.writeTo(out);
  }
}
