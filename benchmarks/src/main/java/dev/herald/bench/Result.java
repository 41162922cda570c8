package dev.herald.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The one line of figures a scenario prints: {@code RESULT scenario=... key=value ...}. */
final class Result {

  final String scenario;
  final Map<String, String> fields = new LinkedHashMap<>();
  long losses;
  boolean failed;

  Result(String scenario, String label) {
    this.scenario = scenario;
    fields.put("scenario", scenario);
    fields.put("target", label);
  }

  Result put(String key, Object value) {
    String v;
    if (value instanceof Double d) {
      v =
          d.isNaN() || d.isInfinite()
              ? "n/a"
              : String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.0f" : "%.3f", d);
    } else if (value instanceof Long l && l < 0 && !key.equals("losses")) {
      v = "n/a";
    } else {
      v = String.valueOf(value);
      if (v.isEmpty() || v.contains(" ")) {
        v = "\"" + v.replace("\"", "'") + "\"";
      }
    }
    fields.put(key, v);
    return this;
  }

  Result losses(long l) {
    losses = l;
    fields.put("losses", Long.toString(l));
    return this;
  }

  Result fail(String why) {
    failed = true;
    return put("error", why == null ? "unknown" : why);
  }

  String line() {
    StringBuilder sb = new StringBuilder("RESULT");
    for (Map.Entry<String, String> e : fields.entrySet()) {
      sb.append(' ').append(e.getKey()).append('=').append(e.getValue());
    }
    return sb.toString();
  }
}
