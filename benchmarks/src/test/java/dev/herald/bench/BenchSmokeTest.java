package dev.herald.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.protocoltests.HeraldProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every scenario for a second or two with tiny sizes against the packaged Herald jar, to prove
 * the benchmarks still work. Asserts that each completes, prints its RESULT line, did work (events
 * sent and deliveries counted, both above zero: losses are computed from what was acknowledged, so
 * a run that sent nothing would lose nothing) and lost nothing. No timing is asserted (CI machines
 * are too noisy for that).
 */
class BenchSmokeTest {

  private static HeraldProcess herald;

  /** What the last {@link #run} printed. */
  private static String lastOutput = "";

  @BeforeAll
  static void start() {
    herald = HeraldProcess.withDefaults().start();
  }

  @AfterAll
  static void stop() {
    if (herald != null) {
      herald.close();
    }
  }

  private static List<String> target() {
    return List.of(
        "--host",
        "127.0.0.1",
        "--port",
        Integer.toString(herald.port()),
        "--app-id",
        HeraldProcess.APP_ID,
        "--key",
        HeraldProcess.APP_KEY,
        "--secret",
        HeraldProcess.APP_SECRET,
        "--server-pid",
        Long.toString(herald.pid()),
        "--label",
        "herald",
        "--duration",
        "1",
        "--warmup",
        "0",
        "--drain",
        "10",
        "--loops",
        "2");
  }

  /** The RESULT fields that count events sent and deliveries seen, per scenario. */
  private static final Map<String, List<String>> WORK =
      Map.of(
          "fanout", List.of("events_ok", "deliveries"),
          "channels", List.of("events_ok", "deliveries"),
          "idle", List.of("ok"),
          "http", List.of("nosub_rps", "sub_rps", "sub_deliveries_per_s", "batch_rps"),
          "http-light", List.of("requests_ok", "deliveries", "server_cpu_ms_per_request"),
          "client-events", List.of("sent", "delivered"),
          "presence", List.of("cycles", "member_events"));

  private static Map<String, String> run(String command, String... flags) {
    List<String> args = new ArrayList<>();
    args.add(command);
    args.addAll(target());
    args.addAll(List.of(flags));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = Bench.run(args.toArray(new String[0]), out);
    }
    String output = bytes.toString(StandardCharsets.UTF_8);
    lastOutput = output;
    System.out.print(output);
    List<String> results = output.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertTrue(output.contains("MACHINE cores="), output);
    assertEquals(1, results.size(), output);
    Map<String, String> fields = Compare.parse(results.get(0).substring(7));
    assertFalse(fields.containsKey("error"), output);
    assertEquals("0", fields.get("losses"), output);
    assertEquals(0, status, output + "\n" + herald.output());
    for (String counted : WORK.get(command)) {
      String value = fields.get(counted);
      assertTrue(
          value != null && Double.parseDouble(value) > 0,
          () -> command + ": " + counted + " is " + value + ", not above zero\n" + output);
    }
    return fields;
  }

  @Test
  void fanoutAtAFixedRate() {
    run("fanout", "--subscribers", "20", "--rate", "20");
  }

  @Test
  void fanoutAtSaturation() {
    run("fanout", "--subscribers", "20", "--rate", "max");
  }

  @Test
  void fanoutWithASecondGeneratorProcess() {
    Map<String, String> r =
        run("fanout", "--subscribers", "20", "--rate", "20", "--processes", "2");
    assertEquals("2", r.get("processes"));
  }

  @Test
  void manyChannels() {
    run(
        "channels",
        "--channels",
        "20",
        "--per-channel",
        "3",
        "--channel-conns",
        "20",
        "--channel-rate",
        "50");
  }

  @Test
  void idleConnectionsOverSeveralSourceAddresses() {
    Map<String, String> r = run("idle", "--idle-conns", "60", "--source-ips", "3", "--hold", "1");
    assertEquals("60", r.get("ok"));
  }

  @Test
  void httpApi() {
    run("http", "--http-subs", "5", "--duration", "1.5");
  }

  @Test
  void httpLightOnAScheduleOverAFixedPool() {
    Map<String, String> r =
        run(
            "http-light",
            "--http-conns",
            "4",
            "--http-rate",
            "10",
            "--http-light-subs",
            "3",
            "--duration",
            "1.5",
            "--tag",
            "cold");
    assertEquals("http-light-cold", r.get("scenario"));
    assertEquals("0", r.get("http_failed"));
    // 4 connections x 10/s for 1.5 s, each sender's requests spread over the interval: 60 due.
    assertEquals("60", r.get("requests_ok"));
    assertEquals("180", r.get("deliveries"));
  }

  @Test
  void aNamedAndTaggedLightFanoutWithTheGeneratorPrimedFirst() {
    Map<String, String> r =
        run(
            "fanout",
            "--subscribers",
            "20",
            "--rate",
            "10",
            "--name",
            "fanout-light",
            "--tag",
            "cold",
            "--prime-port",
            Integer.toString(herald.port()),
            "--prime-seconds",
            "1");
    assertEquals("fanout-light-cold", r.get("scenario"));
    assertTrue(lastOutput.contains("# generator primed on port " + herald.port()), lastOutput);
    assertFalse(lastOutput.contains("with errors"), lastOutput);
  }

  @Test
  void clientEventsBetweenPairs() {
    run("client-events", "--pairs", "5", "--pair-rate", "5");
  }

  @Test
  void presenceChurn() {
    run("presence", "--members", "10", "--churners", "2");
  }
}
