package dev.herald.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.TestVectors;
import dev.herald.config.AppConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
                ApiQuery query = ApiQuery.parse(target.substring(target.indexOf('?') + 1));
                JsonNode bodyNode = vector.get("input").get("body");
                byte[] body =
                    bodyNode == null || bodyNode.isNull()
                        ? new byte[0]
                        : bodyNode.asText().getBytes(StandardCharsets.UTF_8);

                String stringToSign = vector.get("string_to_sign").asText();
                String canonical = stringToSign.substring(stringToSign.lastIndexOf('\n') + 1);
                assertEquals(canonical, query.canonical());
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
    ApiQuery query = ApiQuery.parse(target.substring(target.indexOf('?') + 1));
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
    ApiQuery query = ApiQuery.parse(target.substring(target.indexOf('?') + 1));
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
    ApiQuery query = ApiQuery.parse("auth_key=" + app.key());
    assertThrows(
        RequestVerifier.AuthenticationException.class,
        () -> atVectorTime.verify(app, "GET", List.of("/apps/3/channels"), query, new byte[0]));
    JsonNode vector = TestVectors.byId("V12");
    String target = vector.get("raw_request_target").asText();
    ApiQuery wrongKey =
        ApiQuery.parse(
            target
                .substring(target.indexOf('?') + 1)
                .replaceFirst("auth_key=[^&]*", "auth_key=someone-else"));
    RequestVerifier.AuthenticationException error =
        assertThrows(
            RequestVerifier.AuthenticationException.class,
            () ->
                atVectorTime.verify(
                    app, "GET", List.of("/apps/3/channels"), wrongKey, new byte[0]));
    assertEquals("Unknown auth_key", error.getMessage());
  }

  /** A query as an SDK signs it at {@code timestamp}: {@code params} plus the auth parameters. */
  private String signedQuery(
      String method, String path, String params, long timestamp, String body) {
    String unsigned =
        (params.isEmpty() ? "" : params + "&")
            + "auth_key="
            + app.key()
            + "&auth_timestamp="
            + timestamp
            + "&auth_version=1.0"
            + (body.isEmpty()
                ? ""
                : "&body_md5=" + Signatures.md5Hex(body.getBytes(StandardCharsets.UTF_8)));
    String stringToSign = method + "\n" + path + "\n" + ApiQuery.parse(unsigned).canonical();
    return unsigned + "&auth_signature=" + Signatures.hmacSha256Hex(app.secret(), stringToSign);
  }

  private void assertRefused(RequestVerifier verifier, String method, String query, String body) {
    assertThrows(
        RequestVerifier.AuthenticationException.class,
        () ->
            verifier.verify(
                app,
                method,
                List.of("/apps/3/events"),
                ApiQuery.parse(query),
                body.getBytes(StandardCharsets.UTF_8)),
        query);
  }

  @Test
  void refusesARequestCapturedTwoHoursAgoReplayedWithAFreshTimestampAndBodyUnderAnotherCase() {
    long now = TestVectors.fixedTimestamp();
    long then = now - 7200;
    String original = "{\"name\":\"a\",\"channel\":\"orders\",\"data\":\"{}\"}";
    String forged = "{\"name\":\"a\",\"channel\":\"admin\",\"data\":\"{}\"}";
    String captured = signedQuery("POST", "/apps/3/events", "", then, original);
    String oldMd5 = Signatures.md5Hex(original.getBytes(StandardCharsets.UTF_8));
    String newMd5 = Signatures.md5Hex(forged.getBytes(StandardCharsets.UTF_8));
    RequestVerifier thenVerifier = verifierAt(then);
    assertDoesNotThrow(
        () ->
            thenVerifier.verify(
                app,
                "POST",
                List.of("/apps/3/events"),
                ApiQuery.parse(captured),
                original.getBytes(StandardCharsets.UTF_8)));
    RequestVerifier nowVerifier = verifierAt(now);
    assertRefused(nowVerifier, "POST", captured, original);

    String fresh = "auth_timestamp=" + now + "&body_md5=" + newMd5;
    String renamed =
        captured
            .replace("auth_timestamp=" + then, "AUTH_TIMESTAMP=" + then)
            .replace("body_md5=" + oldMd5, "BODY_MD5=" + oldMd5);
    assertRefused(nowVerifier, "POST", fresh + "&" + renamed, forged);
    assertRefused(nowVerifier, "POST", renamed + "&" + fresh, forged);
    assertRefused(nowVerifier, "POST", captured + "&" + fresh, forged);
    assertRefused(nowVerifier, "POST", fresh + "&" + captured, forged);
    String mixedCase =
        captured
            .replace("auth_timestamp=" + then, "Auth_Timestamp=" + then)
            .replace("body_md5=" + oldMd5, "Body_Md5=" + oldMd5);
    assertRefused(nowVerifier, "POST", fresh + "&" + mixedCase, forged);
    String encodedKeys =
        captured
            .replace("auth_timestamp=" + then, "%41uth_timestamp=" + then)
            .replace("body_md5=" + oldMd5, "body%5Fmd5=" + oldMd5);
    assertRefused(nowVerifier, "POST", fresh + "&" + encodedKeys, forged);
  }

  @Test
  void refusesASignedGetParameterGivenAgainUnderAnotherCase() {
    long now = TestVectors.fixedTimestamp();
    String signed = signedQuery("GET", "/apps/3/events", "filter_by_prefix=presence-", now, "");
    RequestVerifier verifier = verifierAt(now);
    assertDoesNotThrow(
        () ->
            verifier.verify(
                app, "GET", List.of("/apps/3/events"), ApiQuery.parse(signed), new byte[0]));
    assertRefused(verifier, "GET", "FILTER_BY_PREFIX=private-&" + signed, "");
    assertRefused(verifier, "GET", signed + "&Filter_By_Prefix=private-", "");
    assertRefused(verifier, "GET", signed + "&filter_by_prefix=private-", "");
    assertRefused(verifier, "GET", signed + "&info=user_count", "");
  }

  @Test
  void refusesEveryRepeatedSigningParameter() {
    long now = TestVectors.fixedTimestamp();
    String signed = signedQuery("POST", "/apps/3/events", "", now, "{}");
    RequestVerifier verifier = verifierAt(now);
    for (String key :
        List.of("auth_key", "auth_timestamp", "auth_version", "auth_signature", "body_md5")) {
      String value = signed.replaceAll(".*(?:^|&)" + key + "=([^&]*).*", "$1");
      RequestVerifier.AuthenticationException error =
          assertThrows(
              RequestVerifier.AuthenticationException.class,
              () ->
                  verifier.verify(
                      app,
                      "POST",
                      List.of("/apps/3/events"),
                      ApiQuery.parse(signed + "&" + key + "=" + value),
                      "{}".getBytes(StandardCharsets.UTF_8)));
      assertEquals("Query parameter " + key + " is given more than once", error.getMessage());
    }
  }

  @Test
  void refusesATimestampThatWouldOverflowTheWindowCheck() {
    long now = TestVectors.fixedTimestamp();
    long overflowing = now + Long.MIN_VALUE;
    String signed = signedQuery("GET", "/apps/3/events", "", overflowing, "");
    assertRefused(verifierAt(now), "GET", signed, "");
  }
}
