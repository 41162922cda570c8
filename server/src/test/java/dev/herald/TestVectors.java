package dev.herald;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.AppConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The spec's test vectors ({@code test-vectors.json}, copied from shared/spec) and their app. */
public final class TestVectors {
  private static final JsonNode ROOT = load();

  private TestVectors() {}

  public static AppConfig app() {
    JsonNode app = ROOT.get("app");
    return AppConfig.withDefaults(
        app.get("appId").asText(), app.get("key").asText(), app.get("secret").asText());
  }

  public static long fixedTimestamp() {
    return ROOT.get("fixed_auth_timestamp").asLong();
  }

  /** Every vector whose kind starts with {@code kindPrefix}. */
  public static List<JsonNode> ofKind(String kindPrefix) {
    List<JsonNode> vectors = new ArrayList<>();
    for (JsonNode vector : ROOT.get("vectors")) {
      if (vector.get("kind").asText().startsWith(kindPrefix)) {
        vectors.add(vector);
      }
    }
    if (vectors.isEmpty()) {
      throw new IllegalArgumentException("no vectors of kind " + kindPrefix);
    }
    return vectors;
  }

  public static JsonNode byId(String id) {
    for (JsonNode vector : ROOT.get("vectors")) {
      if (vector.get("id").asText().equals(id)) {
        return vector;
      }
    }
    throw new IllegalArgumentException(id);
  }

  private static JsonNode load() {
    try (InputStream in = TestVectors.class.getResourceAsStream("/test-vectors.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
