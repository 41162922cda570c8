package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;

/** Parsing and exact comparison of wire JSON. Stateless; thread-safe. */
public final class Json {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Asserts that {@code actual} is exactly the JSON value written as {@code expected}. */
  public static void assertJson(String expected, JsonNode actual) {
    assertEquals(parse(expected), actual, () -> "expected " + expected + " but got " + actual);
  }

  /**
   * The {@code data} member of a server frame, which the protocol sends as a string holding JSON;
   * fails when it is not a string.
   */
  public static JsonNode dataOf(JsonNode frame) {
    JsonNode data = frame.get("data");
    assertTrue(
        data != null && data.isTextual(), () -> "data should be a JSON-encoded string in " + frame);
    return parse(data.asText());
  }

  /** The text values of a JSON array, as a set (for lists whose order the protocol leaves open). */
  public static Set<String> textSet(JsonNode array) {
    assertTrue(array != null && array.isArray(), () -> "expected an array, got " + array);
    Set<String> values = new HashSet<>();
    array.forEach(v -> values.add(v.isTextual() ? v.asText() : v.toString()));
    return values;
  }
}
