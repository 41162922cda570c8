package dev.herald.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Laravel {@code .env} file: {@code KEY=value}, optional {@code export}, comments, single
 * and double quotes, and {@code ${OTHER}} references (to earlier lines or the process environment),
 * as phpdotenv reads them, so {@code VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"} resolves.
 */
public final class EnvFile {
  private static final Logger LOG = Logger.getLogger(EnvFile.class.getName());
  private static final Pattern LINE =
      Pattern.compile("^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*(.*)$");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private EnvFile() {}

  /**
   * Names Herald or its doctor reads; a line of another program's (a Passport key, a mail setting)
   * that this reader cannot parse is passed over, as it concerns Herald in no way.
   */
  private static final List<String> OWN_PREFIXES =
      List.of(
          "REVERB_",
          "PUSHER_",
          "HERALD_",
          "SOKETI_",
          "REDIS_",
          "VITE_REVERB_",
          "VITE_PUSHER_",
          "BROADCAST_",
          "QUEUE_",
          "APP_URL");

  static boolean isOwn(String name) {
    return OWN_PREFIXES.stream().anyMatch(name::startsWith);
  }

  public static Map<String, String> read(Path path, Function<String, String> processEnv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(path.toString(), "cannot read the env file: " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      Matcher matcher = LINE.matcher(line);
      if (!matcher.matches()) {
        String name = line.trim().split("[\\s=]", 2)[0];
        if (isOwn(name)) {
          // The line is not quoted back: it may be a secret that lost its name.
          throw new ConfigException(path + " line " + (i + 1), "expected KEY=value");
        }
        continue;
      }
      String name = matcher.group(1);
      String raw = matcher.group(2).trim();
      int first = i;
      String value;
      if (raw.startsWith("'") || raw.startsWith("\"")) {
        char quote = raw.charAt(0);
        // A quoted value may span lines (a PEM key, as phpdotenv reads it): take lines until the
        // closing quote.
        StringBuilder text = new StringBuilder(raw);
        String inside = quoted(text.toString(), quote);
        while (inside == null && i + 1 < lines.size()) {
          text.append('\n').append(lines.get(++i));
          inside = quoted(text.toString(), quote);
        }
        if (inside == null) {
          if (isOwn(name)) {
            throw new ConfigException(
                path + " line " + (first + 1) + " (" + name + ")",
                "unterminated " + quote + " quote");
          }
          LOG.warning(
              path
                  + " line "
                  + (first + 1)
                  + ": "
                  + name
                  + " opens a quote that is never closed; passed over (it is not a Herald setting)");
          i = first;
          continue;
        }
        value = quote == '"' ? resolve(unescape(inside), values, processEnv) : inside;
      } else {
        int comment = raw.indexOf(" #");
        value =
            resolve((comment >= 0 ? raw.substring(0, comment) : raw).trim(), values, processEnv);
      }
      values.put(name, value);
    }
    return values;
  }

  /** The text between {@code raw}'s opening quote and its closing one, or null when unclosed. */
  private static String quoted(String raw, char quote) {
    for (int i = 1; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\' && quote == '"') {
        i++;
      } else if (c == quote) {
        return raw.substring(1, i);
      }
    }
    return null;
  }

  private static String unescape(String value) {
    return value.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
  }

  private static String resolve(
      String value, Map<String, String> earlier, Function<String, String> processEnv) {
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      String replacement = processEnv.apply(name);
      if (replacement == null) {
        replacement = earlier.getOrDefault(name, "");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return matcher.appendTail(out).toString();
  }
}
