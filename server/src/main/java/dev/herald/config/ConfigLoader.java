package dev.herald.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link HeraldConfig} from, in rising precedence: defaults, a config file ({@code
 * --config} or {@code HERALD_CONFIG}), a Laravel {@code .env} file ({@code --env-file}), and the
 * process environment. The environment is mapped through {@link Settings}, the one list of every
 * setting and the variables that set it, above Soketi's names ({@link SoketiEnvironment}, converted
 * to Herald's units). A configuration given with Soketi's names, or Soketi's config file, takes
 * Soketi's defaults ({@link SoketiDefaults}) where no name sets a setting. Stateless.
 */
public final class ConfigLoader {

  static final String DEV_APP_ID = "herald";
  static final String DEV_APP_KEY = "herald-key";
  static final String DEV_APP_SECRET = "herald-secret";

  /**
   * Every environment variable Herald reads by its own, Reverb's or Pusher's names ({@code
   * HERALD_CONFIG}, then each {@link Settings} entry's names), in catalogue order: for {@code
   * herald --env-names}, so deployment files (the compose example) can be checked against it.
   */
  public static List<String> envNames() {
    List<String> names = new ArrayList<>();
    names.add("HERALD_CONFIG");
    names.addAll(Settings.envNames());
    return names;
  }

  /**
   * The Soketi variables Herald also reads ({@link SoketiEnvironment}), after {@link #envNames()}
   * in {@code herald --env-names}: Soketi's own list, documented by Soketi, not by Herald's
   * reference.
   */
  public static List<String> soketiEnvNames() {
    return SoketiEnvironment.names();
  }

  /**
   * The parsed command line.
   *
   * @param healthUrlFile where to write the URL of this process's {@code /up} once it serves (for a
   *     container health probe that cannot read the configuration)
   * @param listen the listen address from {@code reverb:start}'s flags, by setting ({@code host},
   *     {@code port}, {@code path}); they win over the environment and the files, as in Reverb
   * @param hostname {@code --hostname}: the name clients reach the server by, for the banner
   */
  public record CommandLine(
      Path configFile,
      Path envFile,
      boolean tlsSelfSigned,
      boolean debug,
      String logFormat,
      boolean dev,
      boolean help,
      Path healthUrlFile,
      Map<String, String> listen,
      String hostname) {

    public CommandLine {
      listen = Map.copyOf(listen);
    }
  }

  /** {@code php artisan reverb:start}'s options that take a value, by the setting they set. */
  private static final Map<String, String> REVERB_START_OPTIONS =
      Map.of("--host", "host", "--port", "port", "--path", "path");

  public static CommandLine parseArgs(List<String> args) {
    Path config = null;
    Path envFile = null;
    Path healthUrlFile = null;
    boolean help = false;
    boolean tlsSelfSigned = false;
    boolean debug = false;
    String logFormat = null;
    boolean dev = false;
    Map<String, String> listen = new HashMap<>();
    String hostname = null;
    List<String> split = new ArrayList<>();
    for (String arg : args) {
      // Artisan (and so a Supervisor line written for reverb:start) spells options --port=8080.
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 2) {
        split.add(arg.substring(0, eq));
        split.add(arg.substring(eq + 1));
      } else {
        split.add(arg);
      }
    }
    args = split;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--host", "--port", "--path", "--hostname" -> {
          if (i + 1 >= args.size()) {
            throw new ConfigException("command line", arg + " needs a value");
          }
          String value = args.get(++i);
          if (arg.equals("--hostname")) {
            hostname = value;
          } else {
            listen.put(REVERB_START_OPTIONS.get(arg), value);
          }
        }
        case "--config", "--env-file", "--health-url-file" -> {
          if (i + 1 >= args.size()) {
            throw new ConfigException("command line", arg + " needs a file path");
          }
          Path path = Path.of(args.get(++i));
          switch (arg) {
            case "--config" -> config = path;
            case "--env-file" -> envFile = path;
            default -> healthUrlFile = path;
          }
        }
        case "--tls-self-signed" -> tlsSelfSigned = true;
        case "--debug" -> debug = true;
        case "--dev" -> dev = true;
        case "--log-format" -> {
          if (i + 1 >= args.size()) {
            throw new ConfigException("command line", "--log-format needs plain or json");
          }
          logFormat = args.get(++i);
        }
        case "-h", "--help" -> help = true;
        default ->
            throw new ConfigException(
                "command line", "unknown option \"" + arg + "\" (see --help)");
      }
    }
    return new CommandLine(
        config,
        envFile,
        tlsSelfSigned,
        debug,
        logFormat,
        dev,
        help,
        healthUrlFile,
        listen,
        hostname);
  }

  public static HeraldConfig load(CommandLine commandLine, Map<String, String> processEnv) {
    Map<String, String> env = new HashMap<>();
    if (commandLine.envFile() != null) {
      env.putAll(EnvFile.read(commandLine.envFile(), processEnv::get));
    }
    env.putAll(processEnv);

    Section server = new Section("server");
    List<Section> fileApps = new ArrayList<>();
    Path configFile = commandLine.configFile();
    if (configFile == null
        && env.get("HERALD_CONFIG") != null
        && !env.get("HERALD_CONFIG").isBlank()) {
      configFile = Path.of(env.get("HERALD_CONFIG"));
    }
    SoketiConfigFile soketiConfig =
        configFile == null ? null : readFile(configFile, server, fileApps);
    boolean soketiFile = soketiConfig != null;

    // Soketi's names sit beneath Herald's: read first, so a Herald, Reverb or Pusher name wins.
    boolean soketiEnv = SoketiEnvironment.used(env);
    Section envApp =
        new Section(
            soketiEnv
                ? "environment (REVERB_APP_* / SOKETI_DEFAULT_APP_ID, _KEY, _SECRET)"
                : "environment (REVERB_APP_ID, REVERB_APP_KEY, REVERB_APP_SECRET)");
    if (soketiFile) {
      if (soketiEnv) {
        SoketiEnvironment.readInto(env, soketiConfig.options());
      }
      soketiConfig.finish(fileApps);
    } else if (soketiEnv) {
      SoketiEnvironment.read(env, server, envApp);
    }
    for (Setting setting : Settings.ALL) {
      // The first name that is set wins: Herald's or Reverb's before Pusher's.
      for (String name : setting.envNames()) {
        String value = env.get(name);
        if (value != null) {
          (setting.scope() == Setting.Scope.SERVER ? server : envApp)
              .put(setting.key(), value, "env " + name);
          break;
        }
      }
    }

    commandLine.listen().forEach((key, value) -> server.put(key, value, "command line --" + key));
    if (commandLine.tlsSelfSigned()) {
      server.put("tls_self_signed", "true", "command line --tls-self-signed");
    }
    if (commandLine.debug()) {
      server.put("debug", "true", "command line --debug");
    }
    if (commandLine.logFormat() != null) {
      server.put("log_format", commandLine.logFormat(), "command line --log-format");
    }

    boolean soketi = soketiFile || soketiEnv;
    if (soketi) {
      SoketiDefaults.server(server);
      SoketiDefaults.app(envApp);
    }
    List<AppConfig> apps = new ArrayList<>();
    for (Section section : fileApps) {
      if (soketiFile) {
        SoketiDefaults.credentials(section);
        SoketiDefaults.app(section);
      }
      apps.add(AppConfig.from(section));
    }
    boolean envDefinesApp = envApp.has("id") || envApp.has("key") || envApp.has("secret");
    if (envDefinesApp) {
      if (soketi) {
        SoketiDefaults.credentials(envApp);
      }
      AppConfig fromEnv = AppConfig.from(envApp);
      apps.removeIf(app -> app.id().equals(fromEnv.id()));
      apps.add(fromEnv);
    }
    ServerConfig serverConfig = ServerConfig.from(server, defaultRedisPrefix(apps, server));
    boolean development = apps.isEmpty() && !serverConfig.database().enabled();
    if (development) {
      if (soketi) {
        SoketiDefaults.credentials(envApp);
      } else {
        envApp.put("id", DEV_APP_ID, "development default");
        envApp.put("key", DEV_APP_KEY, "development default");
        envApp.put("secret", DEV_APP_SECRET, "development default");
      }
      apps.add(AppConfig.from(envApp));
    }
    if (commandLine.dev() && !development) {
      // The demo's endpoints sign any user's subscriptions and publish anything: harmless for the
      // development app whose secret is public anyway, a hole in a real app.
      throw new ConfigException(
          "command line --dev",
          "the demo runs only with the built-in development app, and apps are configured"
              + " (REVERB_APP_* / PUSHER_APP_* in the environment or --env-file, --config, or a"
              + " database); start without --dev, or without the app configuration");
    }
    checkUnique(apps);
    checkWebSocketCeiling(serverConfig.connections(), apps, server);
    return new HeraldConfig(serverConfig, apps, development, commandLine.dev());
  }

  /**
   * A Redis prefix derived from the app set, so two clusters serving different apps on one Redis
   * stay apart while every node of one cluster agrees on it.
   */
  private static String defaultRedisPrefix(List<AppConfig> apps, Section server) {
    List<String> ids = new ArrayList<>();
    apps.forEach(app -> ids.add(app.id() + "/" + app.key()));
    java.util.Collections.sort(ids);
    String basis =
        String.join(",", ids)
            + "|"
            + server.string("apps_database_url", "")
            + "|"
            + server.string("apps_table", "");
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(basis.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "herald:" + java.util.HexFormat.of().formatHex(digest, 0, 4) + ":";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An explicit WebSocket ceiling must not refuse a message a configured app allows. */
  private static void checkWebSocketCeiling(
      ConnectionSettings connections, List<AppConfig> apps, Section server) {
    int largest = apps.stream().mapToInt(AppConfig::maxMessageSize).max().orElse(0);
    if (connections.maxWebSocketMessageSize() > 0
        && connections.maxWebSocketMessageSize() < largest) {
      throw new ConfigException(
          server.source("max_websocket_message_size"),
          "must be at least the largest app max_message_size (" + largest + ")");
    }
  }

  private static void checkUnique(List<AppConfig> apps) {
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (AppConfig app : apps) {
      if (!ids.add(app.id())) {
        throw new ConfigException("apps", "two apps have the id \"" + app.id() + "\"");
      }
      if (!keys.add(app.key())) {
        throw new ConfigException("apps", "two apps have the key \"" + app.key() + "\"");
      }
    }
  }

  /** Reads Herald's config file, or Soketi's, which is returned to be finished. */
  private static SoketiConfigFile readFile(Path file, Section server, List<Section> apps) {
    String name = file.getFileName().toString();
    ObjectMapper mapper = name.endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
    JsonNode root;
    String text;
    try {
      text = Files.readString(file);
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          file.toString(),
          "not valid "
              + (name.endsWith(".json") ? "JSON" : "YAML")
              + ": "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read the config file: " + e);
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(
          file.toString(), "the top level must be a map with server and apps");
    }
    if (SoketiConfigFile.recognises(root, text)) {
      return SoketiConfigFile.read(file, root, server);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      switch (entry.getKey()) {
        case "server" -> copy(entry.getValue(), file + ": server", Settings.SERVER_KEYS, server);
        case "apps" -> {
          if (!entry.getValue().isArray()) {
            throw new ConfigException(file + ": apps", "must be a list of apps");
          }
          int index = 0;
          for (JsonNode app : entry.getValue()) {
            String where = file + ": apps[" + index++ + "]";
            Section section = new Section(where);
            copy(app, where, Settings.APP_KEYS, section);
            apps.add(section);
          }
        }
        default ->
            throw new ConfigException(
                file + ": " + entry.getKey(),
                "unknown key (expected server or apps; a Soketi config file has neither, only"
                    + " Soketi's options, and is JSON)");
      }
    }
    return null;
  }

  private static void copy(JsonNode node, String where, Set<String> allowed, Section into) {
    if (!node.isObject()) {
      throw new ConfigException(where, "must be a map of settings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = entry.getKey();
      if (!allowed.contains(key)) {
        throw new ConfigException(
            where + "." + key, "unknown key; known keys: " + new java.util.TreeSet<>(allowed));
      }
      JsonNode value = entry.getValue();
      if (value.isNull()) {
        continue;
      }
      if (value.isArray() && key.equals("webhooks")) {
        into.put(key, value.toString(), where + "." + key);
        continue;
      }
      if (value.isArray()) {
        List<String> items = new ArrayList<>();
        for (JsonNode item : value) {
          if (!item.isValueNode()) {
            throw new ConfigException(where + "." + key, "must be a list of single values");
          }
          items.add(item.asText());
        }
        into.put(key, String.join(",", items), where + "." + key);
        continue;
      }
      if (!value.isValueNode()) {
        throw new ConfigException(where + "." + key, "must be a single value");
      }
      into.put(key, value.asText(), where + "." + key);
    }
  }
}
