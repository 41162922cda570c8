package dev.herald.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Load generator and benchmark scenarios for any Pusher-protocol server.
 *
 * <pre>
 * java -jar herald-bench.jar SCENARIO [--flag value ...]
 *   fanout | channels | idle | http | http-light | client-events | presence | suite
 * java -jar herald-bench.jar compare herald.txt soketi.txt [baseline.txt]
 * </pre>
 *
 * Each scenario prints a {@code MACHINE} line, a {@code SERVER} line and one {@code RESULT} line.
 * Exit status: 0, 1 on a usage error or failed scenario, 3 when something was lost.
 */
public final class Bench {

  private Bench() {}

  static final String USAGE =
      """
      usage: java -jar herald-bench.jar COMMAND [--flag value ...]
        fanout         1 channel x --subscribers, events via the HTTP API at --rate events/s (or max)
        channels       --channels x --per-channel subscribers over --channel-conns connections, --channel-rate
        idle           ramp to --idle-conns connections, one channel each; RSS/heap per connection, setup rate
        http           HTTP API triggers/s without and with --http-subs subscribers, batch_events
        http-light     --http-conns keep-alive connections each posting --http-rate events/s on a schedule
                       to a channel of --http-light-subs subscribers; latency from the scheduled time
        client-events  --pairs pairs on private channels whispering at --pair-rate events/s per connection
        presence       presence channel of --members users, --churners of them leaving and joining again
        suite          every scenario above, briefly (flags given explicitly apply to all)
        compare A B [C] ratio lines between two files of RESULT lines (A / B), TARGET lines; with C (an
                       older build of A), A / C ratios and the saturation no-regression targets
      target: --host --port [--api-port] --app-id --key --secret [--path] --label NAME --server-pid PID [--metrics-url URL]
      result: --name NAME (the scenario's name in RESULT) --tag TAG (appended as NAME-TAG)
      generator: --loops N --client-threads N --processes N --source-ips N --connect-concurrency N --concurrency N
                 --duration S --warmup S --drain S --payload BYTES
      """;

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs a command; returns the exit status. */
  public static int run(String[] args, PrintStream out) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.print(USAGE);
      return args.length == 0 ? 1 : 0;
    }
    String command = args[0];
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      if (command.equals("compare")) {
        return Compare.run(rest, out);
      }
      Options o = Options.parse(rest);
      if (command.equals("worker")) {
        return worker(o, out);
      }
      out.println(Probes.machineLine());
      long pid = o.str("server-pid") == null ? -1 : Long.parseLong(o.str("server-pid"));
      out.println(
          "SERVER label="
              + o.str("label")
              + " pid="
              + pid
              + " cmd=\""
              + Probes.commandLine(pid).replace('"', '\'')
              + "\" jvm_flags=\""
              + Probes.jvmFlags(pid).replace('"', '\'')
              + "\"");
      List<Result> results = new ArrayList<>();
      if (command.equals("suite")) {
        for (Map.Entry<String, Map<String, String>> step : suite(o).entrySet()) {
          Options so = o.with(step.getValue());
          if (step.getKey().equals("fanout#max")) {
            so = so.forced("rate", "max");
          }
          String scenario = step.getKey().replaceAll("#.*", "");
          results.add(runOne(scenario, so, out));
          Env.sleep(1);
        }
      } else {
        if (o.integer("prime-port") > 0) {
          prime(command, o, out);
        }
        results.add(runOne(command, o, out));
      }
      boolean failed = results.stream().anyMatch(r -> r.failed);
      boolean lost = results.stream().anyMatch(r -> r.losses > 0);
      return failed ? 1 : lost ? 3 : 0;
    } catch (IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      out.print(USAGE);
      return 1;
    }
  }

  /**
   * Runs the scenario against the priming server ({@code --prime-port}) for {@code
   * --prime-seconds}, its output reduced to one comment line: only the generator's JIT is meant to
   * gain from it.
   */
  private static void prime(String command, Options o, PrintStream out) {
    Options primer =
        o.forced("port", o.str("prime-port"))
            .forced("api-port", "0")
            .forced("server-pid", "-1")
            .forced("metrics-url", "")
            .forced("label", "primer")
            .forced("duration", o.str("prime-seconds"))
            .forced("warmup", "0");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (PrintStream sink = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Result r = runOne(command, primer, sink);
      out.println(
          "# generator primed on port "
              + o.str("prime-port")
              + " for "
              + o.str("prime-seconds")
              + " s"
              + (r.failed ? " (with errors: " + r.fields.get("error") + ")" : ""));
    }
  }

  /** The suite: each scenario with CI-sized defaults (explicit flags win). */
  static Map<String, Map<String, String>> suite(Options o) {
    Map<String, Map<String, String>> steps = new LinkedHashMap<>();
    List<String> skip = Arrays.asList(o.str("skip").split(","));
    Map<String, String> common = Map.of("duration", "5", "warmup", "1");
    steps.put("fanout#fixed", merge(common, Map.of()));
    steps.put("fanout#max", merge(common, Map.of()));
    steps.put(
        "channels",
        merge(common, Map.of("channels", "1000", "per-channel", "10", "channel-conns", "1000")));
    steps.put("idle", merge(common, Map.of("hold", "2")));
    steps.put("http", merge(common, Map.of()));
    steps.put("http-light", merge(common, Map.of()));
    steps.put("client-events", merge(common, Map.of()));
    steps.put("presence", merge(common, Map.of()));
    steps.keySet().removeIf(k -> skip.contains(k) || skip.contains(k.replaceAll("#.*", "")));
    return steps;
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> m = new LinkedHashMap<>(a);
    m.putAll(b);
    return m;
  }

  private static Result runOne(String scenario, Options o, PrintStream out) {
    Result r;
    try (Env env = new Env(o, out)) {
      env.log(
          "running "
              + scenario
              + " against "
              + o.str("label")
              + " at "
              + o.str("host")
              + ":"
              + o.str("port")
              + " (load "
              + Probes.loadAverage()
              + ")");
      r =
          switch (scenario) {
            case "fanout", "channels" -> Scenarios.deliveries(env, scenario);
            case "idle" -> Scenarios.idle(env);
            case "http" -> Scenarios.http(env);
            case "http-light" -> HttpLight.run(env);
            case "client-events" -> Scenarios.clientEvents(env);
            case "presence" -> Scenarios.presence(env);
            default -> throw new IllegalArgumentException("unknown command " + scenario);
          };
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      r = new Result(scenario, o.str("label")).fail(String.valueOf(e));
    }
    r.put("load", Probes.loadAverage());
    if (!o.str("name").isEmpty()) {
      r.fields.put("scenario", o.str("name"));
    }
    if (!o.str("tag").isEmpty()) {
      r.fields.put("scenario", r.fields.get("scenario") + "-" + o.str("tag"));
    }
    out.println(r.line());
    out.flush();
    return r;
  }

  /** A worker process: shard {@code --shard} of a delivery scenario, driven over stdin. */
  private static int worker(Options o, PrintStream out) {
    String scenario = o.str("worker-of");
    int processes = o.integer("processes");
    Deliveries sink = new Deliveries();
    List<Conn> conns = Collections.synchronizedList(new ArrayList<>());
    try (Env env = new Env(o, out)) {
      Clients.Opened opened =
          Scenarios.connectShard(env, scenario, o.integer("shard"), processes, sink, conns);
      out.println(
          "READY "
              + opened.ok()
              + " "
              + opened.failed()
              + (opened.firstError() == null ? "" : " " + opened.firstError().replace('\n', ' ')));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        switch (line.trim()) {
          case "COUNT" -> out.println("COUNT " + sink.count.sum());
          case "RESET" -> {
            sink.reset();
            out.println("OK");
          }
          case "HIST" -> out.println("HIST " + Workers.encode(sink.snapshot()));
          case "EXIT" -> {
            Scenarios.closeAll(conns);
            return 0;
          }
          default -> out.println("ERR unknown command");
        }
        out.flush();
      }
      Scenarios.closeAll(conns);
      return 0;
    } catch (IOException e) {
      return 1;
    }
  }
}
