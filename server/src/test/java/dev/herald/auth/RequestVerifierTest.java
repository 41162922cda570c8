package dev.herald.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.TestVectors;
import dev.herald.config.AppConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class RequestVerifierTest {
  private final AppConfig app = TestVectors.app();
  private final RequestVerifier atVectorTime = verifierAt(TestVectors.fixedTimestamp());

  private static RequestVerifier verifierAt(long epochSeconds) {
    return new RequestVerifier(Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
  }

  @TestFactory
  List<DynamicTest> acceptsEveryHttpVectorAndRejectsItTampered() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode vector : TestVectors.ofKind("http_signature")) {
      tests.add(
          DynamicTest.dynamicTest(
              vector.get("id").asText(),
              () -> {
                String target =
                    vector.has("raw_request_target")
                        ? vector.get("raw_request_target").asText()
                        : vector.get("raw_request_target_unencoded").asText();
                String method = vector.get("input").get("method").asText();
                String path = target.substring(0, target.indexOf('?'));
                Map<String, List<String>> query =
                    parseQuery(target.substring(target.indexOf('?') + 1));
                JsonNode bodyNode = vector.get("input").get("body");
                byte[] body =
                    bodyNode == null || bodyNode.isNull()
                        ? new byte[0]
                        : bodyNode.asText().getBytes(StandardCharsets.UTF_8);

                String stringToSign = vector.get("string_to_sign").asText();
                String canonical = stringToSign.substring(stringToSign.lastIndexOf('\n') + 1);
                assertEquals(canonical, RequestVerifier.canonicalQuery(query));
                if (body.length > 0) {
                  assertEquals(vector.get("body_md5").asText(), Signatures.md5Hex(body));
                }
                assertDoesNotThrow(
                    () -> atVectorTime.verify(app, method, List.of(path), query, body));

                assertThrows(
                    RequestVerifier.AuthenticationException.class,
                    () -> atVectorTime.verify(app, method, List.of(path + "x"), query, body));
                if (body.length > 0) {
                  byte[] tampered =
                      (new String(body, StandardCharsets.UTF_8) + " ")
                          .getBytes(StandardCharsets.UTF_8);
                  assertThrows(
                      RequestVerifier.AuthenticationException.class,
                      () -> atVectorTime.verify(app, method, List.of(path), query, tampered));
                }
              }));
    }
    return tests;
  }

  @Test
  void rejectsTimestampsMoreThanTenMinutesAway() {
    JsonNode vector = TestVectors.byId("V09");
    String target = vector.get("raw_request_target").asText();
    Map<String, List<String>> query = parseQuery(target.substring(target.indexOf('?') + 1));
    byte[] body = vector.get("input").get("body").asText().getBytes(StandardCharsets.UTF_8);
    long t = TestVectors.fixedTimestamp();
    assertDoesNotThrow(
        () -> verifierAt(t + 600).verify(app, "POST", List.of("/apps/3/events"), query, body));
    RequestVerifier.AuthenticationException late =
        assertThrows(
            RequestVerifier.AuthenticationException.class,
            () -> verifierAt(t + 601).verify(app, "POST", List.of("/apps/3/events"), query, body));
    assertTrue(late.getMessage().startsWith("Timestamp expired"), late.getMessage());
    assertThrows(
        RequestVerifier.AuthenticationException.class,
        () -> verifierAt(t - 601).verify(app, "POST", List.of("/apps/3/events"), query, body));
  }

  @Test
  void acceptsASignatureOverAnyOfTheCandidatePaths() {
    JsonNode vector = TestVectors.byId("V14");
    String target = vector.get("raw_request_target").asText();
    Map<String, List<String>> query = parseQuery(target.substring(target.indexOf('?') + 1));
    assertDoesNotThrow(
        () ->
            atVectorTime.verify(
                app,
                "GET",
                List.of(
                    "/ws/apps/3/channels/presence-foobar/users",
                    "/apps/3/channels/presence-foobar/users"),
                query,
                new byte[0]));
  }

  @Test
  void rejectsMissingParametersAndAWrongKey() {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("auth_key", List.of(app.key()));
    assertThrows(
        RequestVerifier.AuthenticationException.class,
        () -> atVectorTime.verify(app, "GET", List.of("/apps/3/channels"), query, new byte[0]));
    JsonNode vector = TestVectors.byId("V12");
    String target = vector.get("raw_request_target").asText();
    Map<String, List<String>> wrongKey = parseQuery(target.substring(target.indexOf('?') + 1));
    wrongKey.put("auth_key", List.of("someone-else"));
    RequestVerifier.AuthenticationException error =
        assertThrows(
            RequestVerifier.AuthenticationException.class,
            () ->
                atVectorTime.verify(
                    app, "GET", List.of("/apps/3/channels"), wrongKey, new byte[0]));
    assertEquals("Unknown auth_key", error.getMessage());
  }

  private static Map<String, List<String>> parseQuery(String query) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return params;
  }
}
