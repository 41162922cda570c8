package dev.herald.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Laravel {@code .env} file: {@code KEY=value}, optional {@code export}, comments, single
 * and double quotes, and {@code ${OTHER}} references (to earlier lines or the process environment),
 * as phpdotenv reads them, so {@code VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"} resolves.
 */
public final class EnvFile {
  private static final Pattern LINE =
      Pattern.compile("^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*(.*)$");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private EnvFile() {}

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
        // The line is not quoted back: it may be a secret that lost its name.
        throw new ConfigException(path + " line " + (i + 1), "expected KEY=value");
      }
      String raw = matcher.group(2).trim();
      String value;
      if (raw.startsWith("'")) {
        value = quoted(raw, '\'', path, i);
      } else if (raw.startsWith("\"")) {
        value = resolve(unescape(quoted(raw, '"', path, i)), values, processEnv);
      } else {
        int comment = raw.indexOf(" #");
        value =
            resolve((comment >= 0 ? raw.substring(0, comment) : raw).trim(), values, processEnv);
      }
      values.put(matcher.group(1), value);
    }
    return values;
  }

  private static String quoted(String raw, char quote, Path path, int index) {
    for (int i = 1; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\' && quote == '"') {
        i++;
      } else if (c == quote) {
        return raw.substring(1, i);
      }
    }
    throw new ConfigException(path + " line " + (index + 1), "unterminated " + quote + " quote");
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
