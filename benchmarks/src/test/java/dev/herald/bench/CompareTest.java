package dev.herald.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 18's TARGET lines from RESULT figures: the bound, which side it applies to, MET or not. */
class CompareTest {

  private static Map<String, Map<String, String>> results(String... lines) {
    Map<String, Map<String, String>> m = new LinkedHashMap<>();
    for (String line : lines) {
      Map<String, String> fields = Compare.parse(line);
      m.put(fields.get("scenario"), fields);
    }
    return m;
  }

  private static List<String> issue18(
      Map<String, Map<String, String>> herald,
      Map<String, Map<String, String>> soketi,
      Map<String, Map<String, String>> baseline) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Compare.issue18(herald, soketi, baseline, out);
    }
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private static void assertLine(List<String> lines, String start, String verdict) {
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith(start) && l.endsWith(": " + verdict)),
        () -> "no line starting '" + start + "' ending '" + verdict + "' in\n" + lines);
  }

  @Test
  void idleMemoryAndSetupCpuAreBoundedAtThreeQuartersOfSoketisAndHeapAt2KiB() {
    List<String> lines =
        issue18(
            results(
                "scenario=idle rss_per_conn_bytes=1900 heap_per_conn_bytes=2100"
                    + " server_cpu_ms_per_setup=0.05",
                "scenario=idle-big rss_per_conn_bytes=2100 heap_per_conn_bytes=2000"
                    + " server_cpu_ms_per_setup=0.06"),
            results(
                "scenario=idle rss_per_conn_bytes=2600 server_cpu_ms_per_setup=0.07",
                "scenario=idle-big rss_per_conn_bytes=2600 server_cpu_ms_per_setup=0.07"),
            null);
    assertLine(lines, "TARGET issue-18 server RSS per idle connection (idle) <= 0.75x", "MET");
    assertLine(
        lines, "TARGET issue-18 server RSS per idle connection (idle-big) <= 0.75x", "NOT MET");
    assertLine(
        lines, "TARGET issue-18 Herald heap per idle connection after full GC (idle)", "NOT MET");
    assertLine(
        lines, "TARGET issue-18 Herald heap per idle connection after full GC (idle-big)", "MET");
    assertLine(lines, "TARGET issue-18 server CPU per connection setup (idle) <= 0.75x", "MET");
    assertLine(lines, "TARGET issue-18 server CPU per connection setup (idle-big)", "NOT MET");
  }

  @Test
  void lightLoadsAreJudgedWarmAndColdSeparately() {
    List<String> lines =
        issue18(
            results(
                "scenario=fanout-light-warm p99_ms=9",
                "scenario=fanout-light-cold p99_ms=30",
                "scenario=http-light-warm p99_ms=2 server_cpu_ms_per_request=0.1",
                "scenario=http-light-cold p99_ms=2 server_cpu_ms_per_request=0.3"),
            results(
                "scenario=fanout-light-warm p99_ms=10",
                "scenario=fanout-light-cold p99_ms=20",
                "scenario=http-light-warm p99_ms=2 server_cpu_ms_per_request=0.2",
                "scenario=http-light-cold p99_ms=3 server_cpu_ms_per_request=0.2"),
            null);
    assertLine(lines, "TARGET issue-18 p99 fanout-light-warm <= 1.0x", "MET");
    assertLine(lines, "TARGET issue-18 p99 fanout-light-cold <= 1.0x", "NOT MET");
    assertLine(lines, "TARGET issue-18 p99 http-light-warm <= 1.0x", "MET");
    assertLine(lines, "TARGET issue-18 server CPU per request http-light-warm", "MET");
    assertLine(lines, "TARGET issue-18 server CPU per request http-light-cold", "NOT MET");
    assertTrue(lines.stream().noneMatch(l -> l.contains("client-events-light")), lines::toString);
    assertTrue(lines.stream().noneMatch(l -> l.contains("baseline")), lines::toString);
  }

  @Test
  void saturationMayFallTenPercentBelowTheBaselineAndNoMore() {
    List<String> lines =
        issue18(
            results(
                "scenario=fanout-max deliveries_per_s=91000", "scenario=presence joins_per_s=890"),
            Map.of(),
            results(
                "scenario=fanout-max deliveries_per_s=100000",
                "scenario=presence joins_per_s=1000"));
    assertLine(
        lines,
        "TARGET issue-18 saturation vs baseline fanout-max deliveries_per_s >= 0.9x: 0.91x",
        "MET");
    assertLine(
        lines,
        "TARGET issue-18 saturation vs baseline presence joins_per_s >= 0.9x: 0.89x",
        "NOT MET");
  }
}
