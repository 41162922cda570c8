package dev.herald.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeraldMetricsTest {

  @ParameterizedTest
  @ValueSource(strings = {"soketi", "soketi_"})
  void soketisPrefixWithOrWithoutItsUnderscoreGivesSoketisNamesAndPortLabel(String prefix) {
    HeraldMetrics metrics = new HeraldMetrics(prefix, "test", 6001);
    metrics.app("a").messageSent(3);
    metrics.httpCall("a", "events", 200, 40, 2);
    String text = metrics.scrape();
    assertTrue(
        text.contains("soketi_socket_transmitted_bytes{app_id=\"a\",port=\"6001\"} 3\n"), text);
    assertTrue(text.contains("soketi_http_received_bytes{app_id=\"a\",port=\"6001\"} 40\n"), text);
    assertTrue(
        text.contains("soketi_http_calls_received_total{app_id=\"a\",port=\"6001\"} 1.0\n"), text);
    assertTrue(text.contains("soketi_ws_messages_sent_total{app_id=\"a\",port=\"6001\"}"), text);
    assertFalse(text.contains("soketi__"), text);
  }

  @Test
  void theBoundPortReplacesAConfiguredZeroForMetersCreatedAfterwards() {
    HeraldMetrics metrics = new HeraldMetrics("soketi", "test", 0);
    metrics.listeningOn(41234);
    metrics.app("a").connectionOpened();
    assertTrue(
        metrics.scrape().contains("soketi_connected{app_id=\"a\",port=\"41234\"} 1.0"),
        metrics.scrape());
  }

  @Test
  void soketisProcessMetricsComeWithThePortOnceItIsBound() {
    HeraldMetrics metrics = new HeraldMetrics("soketi", "test", 6001);
    metrics.listeningOn(6001);
    String text = metrics.scrape();
    for (String name :
        new String[] {
          "soketi_process_cpu_seconds_total",
          "soketi_process_cpu_user_seconds_total",
          "soketi_process_cpu_system_seconds_total",
          "soketi_process_start_time_seconds",
          "soketi_process_resident_memory_bytes",
          "soketi_process_open_fds"
        }) {
      assertTrue(text.contains(name + "{port=\"6001\"} "), name + " in\n" + text);
    }
    assertFalse(text.contains("soketi_process_resident_memory_bytes{port=\"6001\"} NaN"), text);
  }

  @Test
  void heraldsOwnNamesStayTheDefault() {
    HeraldMetrics metrics = new HeraldMetrics("herald", "test", 6001);
    metrics.app("a").bytesReceived(5);
    metrics.httpCall(null, "/up", 200, 0, 15);
    String text = metrics.scrape();
    assertTrue(text.contains("herald_socket_bytes_received_total{app_id=\"a\"} 5\n"), text);
    assertTrue(
        text.contains(
            "herald_http_calls_received_total{app_id=\"\",route=\"/up\",status=\"200\"} 1.0"),
        text);
    assertFalse(text.contains("port=\""), text);
    assertFalse(text.contains("soketi"), text);
  }

  @Test
  void handWrittenCountersEscapeLabelValues() {
    CounterFamily family = new CounterFamily("x_total", "help", "app_id");
    family.series("a\"b\\c\nd").add(2);
    StringBuilder out = new StringBuilder();
    family.writeTo(out);
    assertTrue(
        out.toString()
            .equals(
                "# HELP x_total help\n# TYPE x_total counter\nx_total{app_id=\"a\\\"b\\\\c\\nd\"} 2\n"),
        out.toString());
  }
}
