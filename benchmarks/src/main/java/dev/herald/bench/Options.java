package dev.herald.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags: {@code --name value} pairs (or {@code --name=value}). Unknown flags are
 * refused so that a typo does not silently run the default. Immutable after parsing.
 */
final class Options {

  /** Every flag any command understands, with its default (null: no default). */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    // Target.
    DEFAULTS.put("host", "127.0.0.1");
    DEFAULTS.put("port", "6001");
    // The HTTP API's port when it differs from the WebSocket port (another node of a cluster).
    DEFAULTS.put("api-port", "0");
    DEFAULTS.put("app-id", "app-id");
    DEFAULTS.put("key", "app-key");
    DEFAULTS.put("secret", "app-secret");
    DEFAULTS.put("path", "");
    DEFAULTS.put("label", "target");
    // The scenario's name in its RESULT line when not its own (then -TAG is appended as usual).
    DEFAULTS.put("name", "");
    DEFAULTS.put("tag", "");
    DEFAULTS.put("server-pid", null);
    DEFAULTS.put("metrics-url", null);
    // Generator.
    DEFAULTS.put("loops", Integer.toString(Runtime.getRuntime().availableProcessors()));
    // Event loops of the WebSocket connections (the HTTP API client has --loops).
    DEFAULTS.put("client-threads", "2");
    DEFAULTS.put("processes", "1");
    DEFAULTS.put("source-ips", "0");
    DEFAULTS.put("connect-concurrency", "256");
    DEFAULTS.put("concurrency", "16");
    DEFAULTS.put("duration", "10");
    DEFAULTS.put("warmup", "2");
    DEFAULTS.put("drain", "10");
    DEFAULTS.put("setup-timeout", "300");
    DEFAULTS.put("payload", "64");
    // Before the measured run, the same scenario against another server on this port for
    // --prime-seconds, in the same JVM: the generator's code is then compiled while the target's is
    // not (a cold server measured by a cold generator would mostly show the generator's JIT).
    DEFAULTS.put("prime-port", "0");
    DEFAULTS.put("prime-seconds", "5");
    // fanout
    DEFAULTS.put("subscribers", "1000");
    DEFAULTS.put("rate", "50");
    DEFAULTS.put("max-backlog-events", "32");
    // channels
    DEFAULTS.put("channels", "10000");
    DEFAULTS.put("per-channel", "10");
    DEFAULTS.put("channel-conns", "10000");
    DEFAULTS.put("channel-rate", "max");
    // idle
    DEFAULTS.put("idle-conns", "10000");
    DEFAULTS.put("idle-channels", "0");
    DEFAULTS.put("hold", "5");
    // http
    DEFAULTS.put("http-subs", "100");
    // http-light
    DEFAULTS.put("http-conns", "50");
    DEFAULTS.put("http-rate", "10");
    DEFAULTS.put("http-light-subs", "10");
    // client events / presence
    DEFAULTS.put("pairs", "100");
    DEFAULTS.put("pair-rate", "5");
    DEFAULTS.put("members", "100");
    DEFAULTS.put("churners", "10");
    // suite
    DEFAULTS.put("skip", "");
    // internal: worker processes
    DEFAULTS.put("shard", "0");
    DEFAULTS.put("worker-of", "");
  }

  private final Map<String, String> values;
  final List<String> raw;

  private Options(Map<String, String> values, List<String> raw) {
    this.values = values;
    this.raw = raw;
  }

  static Options parse(List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("expected --flag, got " + a);
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("flag --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (!DEFAULTS.containsKey(name)) {
        throw new IllegalArgumentException("unknown flag --" + name);
      }
      values.put(name, value);
    }
    return new Options(values, List.copyOf(args));
  }

  /** A copy with some flags replaced (used by the suite to size each scenario). */
  Options with(Map<String, String> overrides) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (!DEFAULTS.containsKey(e.getKey())) {
        throw new IllegalArgumentException("unknown flag --" + e.getKey());
      }
      copy.putIfAbsent(e.getKey(), e.getValue());
    }
    return new Options(copy, raw);
  }

  /** A copy with one flag set, whatever was given. */
  Options forced(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.put(name, value);
    return new Options(copy, raw);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  Set<String> given() {
    return values.keySet();
  }

  String str(String name) {
    if (!DEFAULTS.containsKey(name)) {
      throw new IllegalArgumentException("unknown flag --" + name);
    }
    return values.getOrDefault(name, DEFAULTS.get(name));
  }

  int integer(String name) {
    try {
      return Integer.parseInt(str(name));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number: " + str(name));
    }
  }

  double number(String name) {
    try {
      return Double.parseDouble(str(name));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number: " + str(name));
    }
  }

  /** A rate flag: a number per second, or {@code max} (returned as 0) for saturation. */
  double rate(String name) {
    String v = str(name);
    return v.equalsIgnoreCase("max") ? 0 : number(name);
  }

  /** All flags with their effective values, as command-line arguments. */
  List<String> toArgs() {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      out.add("--" + e.getKey());
      out.add(e.getValue());
    }
    return out;
  }
}
