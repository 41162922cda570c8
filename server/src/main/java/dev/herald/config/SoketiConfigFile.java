package dev.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Soketi's JSON config file ({@code soketi start --config=soketi.json}): Soketi's option names,
 * camelCase, nested ({@code "metrics": {"port": 9601}}) or dotted ({@code "appManager.array.apps":
 * [...]}) as Soketi's {@code setOptions} takes them, with apps under {@code appManager.array.apps}.
 * Translated by {@link SoketiOptions}, together with Soketi's variables when both are given, as
 * Soketi lays its environment over its file option by option. Confined to the loading thread.
 */
final class SoketiConfigFile {

  /** The top-level names of Soketi 1.6's {@code Options}. */
  private static final Set<String> TOP_LEVEL =
      Set.of(
          "adapter",
          "appManager",
          "cache",
          "channelLimits",
          "cluster",
          "cors",
          "database",
          "databasePooling",
          "debug",
          "eventLimits",
          "host",
          "httpApi",
          "instance",
          "metrics",
          "mode",
          "pathPrefix",
          "port",
          "presence",
          "queue",
          "rateLimiter",
          "shutdownGracePeriod",
          "ssl",
          "userAuthenticationTimeout",
          "webhooks");

  /** Maps handed whole to a client library by Soketi: one value, not options of their own. */
  private static final Set<String> OPAQUE =
      Set.of(
          "redisPubOptions", "redisSubOptions", "redisOptions", "clientOptions", "consumerOptions");

  private final Section appWide;
  private final Map<Integer, Section> byIndex = new TreeMap<>();
  private final SoketiOptions options;

  private SoketiConfigFile(Path file, Section server) {
    appWide = new Section(file + " (Soketi's limits for every app)");
    options =
        new SoketiOptions(
            server,
            appWide,
            index ->
                byIndex.computeIfAbsent(
                    index, n -> new Section(file + ": appManager.array.apps." + n)));
  }

  /**
   * Whether a parsed config file is Soketi's: it is JSON (Soketi reads nothing else), has none of
   * Herald's top-level keys ({@code server}, {@code apps}) and at least one of Soketi's (by the
   * first segment of a dotted key). Herald's own files have only those two keys, so no file can be
   * both; a Herald YAML file with a misplaced {@code port:} stays an error, not a Soketi file.
   */
  static boolean recognises(JsonNode root, String text) {
    if (!root.isObject() || root.has("server") || root.has("apps")) {
      return false;
    }
    boolean soketiKey = false;
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      soketiKey |= TOP_LEVEL.contains(it.next().split("\\.", 2)[0]);
    }
    return soketiKey && isJson(text);
  }

  private static boolean isJson(String text) {
    try {
      return JSON.readTree(text) != null;
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads the file's options, server ones into {@code server}; the apps come with {@link #finish},
   * after Soketi's variables had their turn through {@link #options()}.
   */
  static SoketiConfigFile read(Path file, JsonNode root, Section server) {
    SoketiConfigFile config = new SoketiConfigFile(file, server);
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      visit(file, entry.getKey(), entry.getValue(), config.options);
    }
    return config;
  }

  /** Where Soketi's variables go to override the file's options, as in Soketi. */
  SoketiOptions options() {
    return options;
  }

  /** Adds one section per app of {@code appManager.array.apps}, in index order, to {@code apps}. */
  void finish(List<Section> apps) {
    options.finish();
    for (Section app : byIndex.values()) {
      // Soketi's server-wide limits are every app's defaults; an app's own field wins.
      app.putDefaults(appWide);
      apps.add(app);
    }
  }

  private static void visit(Path file, String path, JsonNode node, SoketiOptions options) {
    String last = path.substring(path.lastIndexOf('.') + 1);
    if (node.isObject() && !OPAQUE.contains(last)) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        visit(file, path + "." + entry.getKey(), entry.getValue(), options);
      }
    } else if (node.isArray() && path.equals("appManager.array.apps")) {
      for (int i = 0; i < node.size(); i++) {
        visit(file, path + "." + i, node.get(i), options);
      }
    } else if (node.isNull()) {
      // Soketi's default stays.
    } else {
      options.put(path, node.isValueNode() ? node.asText() : node.toString(), file + ": " + path);
    }
  }
}
