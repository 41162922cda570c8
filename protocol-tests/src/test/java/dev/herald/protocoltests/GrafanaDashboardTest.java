package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The shipped Grafana dashboard ({@code config/grafana-dashboard.json}) takes the metric prefix,
 * the instance and the app as variables, and every query it makes finds series on a real node of
 * either naming ({@code herald} and {@code soketi}), clustered through Redis so the Redis panels
 * have their metrics too: every selector filters on {@code $instance}, and on {@code $app} where
 * the metric is labelled by app.
 */
class GrafanaDashboardTest {

  private static final String PREFIX = "${prefix}";

  /** A metric selector once the prefix is substituted: an optional name, then its matchers. */
  private static final Pattern SELECTOR =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\{([^}]*)\\}");

  private static final Pattern NAME_REGEX = Pattern.compile("__name__=~\"([^\"]+)\"");

  @Test
  void everyQueryUsesTheVariablesAndFindsMetricsInBothNamings() {
    RedisServer.require();
    JsonNode dashboard = Json.parse(read(dashboardFile()));
    Map<String, JsonNode> variables = new LinkedHashMap<>();
    dashboard
        .path("templating")
        .path("list")
        .forEach(v -> variables.put(v.path("name").asText(), v));
    assertTrue(
        variables.keySet().containsAll(List.of("prefix", "instance", "app")),
        () ->
            "the dashboard's variables are " + variables.keySet() + ", not prefix, instance, app");
    assertAll(
        () -> assertEquals("custom", variables.get("prefix").path("type").asText(), "prefix"),
        () ->
            assertTrue(
                variables.get("prefix").path("query").asText().matches("herald, ?soketi"),
                "prefix options: " + variables.get("prefix")),
        () -> assertEquals("query", variables.get("instance").path("type").asText(), "instance"),
        () -> assertEquals("query", variables.get("app").path("type").asText(), "app"));

    List<String> queries = new ArrayList<>();
    queries.add(variableQuery(variables.get("instance")));
    queries.add(variableQuery(variables.get("app")));
    collectTargets(dashboard.path("panels"), queries);
    assertTrue(queries.size() > 10, "queries: " + queries);

    try (RedisServer redis = RedisServer.start()) {
      CompletableFuture<PrometheusText> herald =
          CompletableFuture.supplyAsync(() -> scrapeAfterTraffic(redis, "herald"));
      CompletableFuture<PrometheusText> soketi =
          CompletableFuture.supplyAsync(() -> scrapeAfterTraffic(redis, "soketi"));
      Map<String, PrometheusText> scrapes =
          Map.of("herald", herald.join(), "soketi", soketi.join());

      List<Executable> checks = new ArrayList<>();
      for (String query : queries) {
        boolean variableQuery = query.startsWith("label_values(");
        checks.add(
            () ->
                assertTrue(
                    query.contains(PREFIX) || query.matches("(?s).*\\bjvm_\\w+\\{.*"),
                    "names a metric without ${prefix}: " + query));
        scrapes.forEach(
            (prefix, scrape) -> checks.add(() -> checkQuery(query, prefix, scrape, variableQuery)));
      }
      assertAll(checks);
    }
  }

  /**
   * Each selector of {@code query}, with the prefix substituted, filters on the instance, names
   * metrics the scrape has, and filters on the app where those metrics carry {@code app_id}.
   */
  private static void checkQuery(
      String query, String prefix, PrometheusText scrape, boolean variableQuery) {
    String resolved = query.replace(PREFIX, prefix);
    Matcher selector = SELECTOR.matcher(resolved);
    int found = 0;
    while (selector.find()) {
      found++;
      String name = selector.group(1);
      String matchers = selector.group(2);
      Pattern names;
      if (name != null) {
        names = Pattern.compile(Pattern.quote(name));
      } else {
        Matcher regex = NAME_REGEX.matcher(matchers);
        assertTrue(regex.find(), () -> "a selector without a metric name in " + resolved);
        names = Pattern.compile(regex.group(1));
      }
      List<PrometheusText.Sample> samples =
          scrape.samples().stream().filter(s -> names.matcher(s.name()).matches()).toList();
      assertFalse(samples.isEmpty(), () -> prefix + ": no series named " + names + " for " + query);
      boolean byApp = samples.stream().anyMatch(s -> s.labels().containsKey("app_id"));
      // The instance variable's own query lists every instance; the others all narrow to it.
      if (!(variableQuery && resolved.startsWith("label_values(" + prefix + "_build_info"))) {
        assertTrue(
            matchers.contains("instance=~\"$instance\""),
            () -> "does not filter on $instance: " + query);
      }
      if (byApp && !variableQuery) {
        assertTrue(
            matchers.contains("app_id=~\"$app\""), () -> "does not filter on $app: " + query);
      }
    }
    if (found == 0 && variableQuery) {
      // label_values(metric, label) without matchers.
      Matcher bare = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(resolved);
      assertTrue(bare.find(), () -> "no metric in " + query);
      assertTrue(scrape.has(bare.group(1)), () -> prefix + ": no series " + bare.group(1));
      return;
    }
    assertTrue(found > 0, () -> "no metric selector in " + query);
  }

  /** A node of the given naming in a Redis cluster, scraped after a connection and a broadcast. */
  private static PrometheusText scrapeAfterTraffic(RedisServer redis, String prefix) {
    try (HeraldProcess node = ClusterTest.node(redis, "HERALD_METRICS_PREFIX", prefix).start();
        RawClient client = node.open()) {
      String channel = Unique.name("dashboard-");
      client.subscribeOk(channel);
      node.api().trigger(channel, "e", "{}");
      client.awaitJson();
      return MetricsTest.scrape(node.httpBase() + "/metrics");
    }
  }

  private static String variableQuery(JsonNode variable) {
    JsonNode query = variable.path("query");
    return query.isObject() ? query.path("query").asText() : query.asText();
  }

  private static void collectTargets(JsonNode panels, List<String> queries) {
    for (JsonNode panel : panels) {
      collectTargets(panel.path("panels"), queries);
      panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
    }
  }

  private static Path dashboardFile() {
    return Path.of(System.getProperty("herald.config.dir", "../config"), "grafana-dashboard.json");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
