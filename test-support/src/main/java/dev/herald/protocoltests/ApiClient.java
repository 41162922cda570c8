package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A raw client of the Pusher HTTP API that signs requests itself (http-api.md §1), so tests can
 * send what no SDK would: a wrong body_md5, an expired timestamp, an unsigned or mis-signed
 * request, a path signed with or without the mount prefix. Thread-safe.
 */
public final class ApiClient {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;
  private final String prefix;
  private final String appId;
  private final String key;
  private final String secret;
  private final HttpClient http;

  /**
   * @param base scheme, host, port and mount prefix, e.g. {@code http://127.0.0.1:5000/ws}
   * @param prefix the mount prefix contained in {@code base} ("" when none)
   */
  public ApiClient(String base, String prefix, String appId, String key, String secret) {
    this(base, prefix, appId, key, secret, HTTP);
  }

  /** As above, sending through {@code http} (e.g. one trusting a test certificate). */
  public ApiClient(
      String base, String prefix, String appId, String key, String secret, HttpClient http) {
    this.http = http;
    this.base = base;
    this.prefix = prefix;
    this.appId = appId;
    this.key = key;
    this.secret = secret;
  }

  /** A status code and a body. */
  public record Response(int status, String body) {
    public JsonNode json() {
      return Json.parse(body);
    }
  }

  /** A request to {@code /apps/{id}{pathAfterApp}}, e.g. {@code request("GET", "/channels")}. */
  public Request request(String method, String pathAfterApp) {
    return new Request(method, "/apps/" + appId + pathAfterApp);
  }

  public Response get(String pathAfterApp, String... queryPairs) {
    Request request = request("GET", pathAfterApp);
    for (int i = 0; i < queryPairs.length; i += 2) {
      request.query(queryPairs[i], queryPairs[i + 1]);
    }
    return request.send();
  }

  public Response post(String pathAfterApp, String body) {
    return request("POST", pathAfterApp).body(body).send();
  }

  /** Triggers one event and asserts it was accepted. */
  public void trigger(String channel, String event, String data) {
    Response response =
        post("/events", Json.write(Map.of("name", event, "channel", channel, "data", data)));
    assertEquals(200, response.status(), response::body);
  }

  /** Asserts the status and the contract's error body {@code {"error":"...","code":status}}. */
  public static void assertError(Response response, int status) {
    assertEquals(status, response.status(), response.body());
    JsonNode body = response.json();
    assertTrue(body.path("error").isTextual(), () -> "error body: " + response.body());
    assertTrue(!body.path("error").asText().isEmpty(), response.body());
    assertEquals(status, body.path("code").asInt(), () -> "error body: " + response.body());
  }

  /** One request under construction; {@link #send()} signs it unless told otherwise. */
  public final class Request {
    private final String method;
    private final String path;
    private final Map<String, String> query = new LinkedHashMap<>();
    private String body;
    private String signedPath;
    private Long timestamp;
    private String bodyMd5;
    private String signature;
    private String authKey = key;
    private String authSecret = secret;
    private boolean signed = true;
    private String sentBody;
    private UnaryOperator<String> queryEdit = UnaryOperator.identity();

    private Request(String method, String path) {
      this.method = method;
      this.path = path;
      this.signedPath = path;
    }

    public Request query(String name, String value) {
      query.put(name, value);
      return this;
    }

    public Request body(String json) {
      this.body = json;
      return this;
    }

    /** Signs over this path instead of the one the request goes to (without the mount prefix). */
    public Request signedPath(String path) {
      this.signedPath = path;
      return this;
    }

    /** Signs over the request path with the mount prefix in front, as received by the server. */
    public Request signedWithPrefix() {
      this.signedPath = prefix + path;
      return this;
    }

    public Request timestamp(long unixSeconds) {
      this.timestamp = unixSeconds;
      return this;
    }

    /** Sends (and signs) this body_md5 instead of the real MD5 of the body. */
    public Request bodyMd5(String md5) {
      this.bodyMd5 = md5;
      return this;
    }

    /** Sends this auth_signature instead of the correct one. */
    public Request signature(String hex) {
      this.signature = hex;
      return this;
    }

    public Request credentials(String key, String secret) {
      this.authKey = key;
      this.authSecret = secret;
      return this;
    }

    /** Signs the body given to {@link #body} but sends this one (a tampered or replayed body). */
    public Request sentBody(String json) {
      this.sentBody = json;
      return this;
    }

    /**
     * Rewrites the signed, encoded query string before sending, as someone replaying a captured URL
     * would: added, renamed or repeated parameters.
     */
    public Request editQuery(UnaryOperator<String> edit) {
      this.queryEdit = edit;
      return this;
    }

    /** Sends no auth_* parameters at all. */
    public Request unsigned() {
      this.signed = false;
      return this;
    }

    public Response send() {
      Map<String, String> params = new TreeMap<>(query);
      if (signed) {
        params.put("auth_key", authKey);
        params.put(
            "auth_timestamp",
            Long.toString(timestamp != null ? timestamp : System.currentTimeMillis() / 1000));
        params.put("auth_version", "1.0");
        if (body != null || bodyMd5 != null) {
          params.put(
              "body_md5",
              bodyMd5 != null ? bodyMd5 : Signatures.md5Hex(body.getBytes(StandardCharsets.UTF_8)));
        }
        String stringToSign = stringToSign(method, signedPath, params);
        params.put(
            "auth_signature",
            signature != null ? signature : Signatures.hmacSha256Hex(authSecret, stringToSign));
      }
      List<String> encoded = new ArrayList<>();
      params.forEach((k, v) -> encoded.add(encode(k) + "=" + encode(v)));
      String queryString = queryEdit.apply(String.join("&", encoded));
      String url = base + path + (queryString.isEmpty() ? "" : "?" + queryString);
      String bodyToSend = sentBody != null ? sentBody : body;
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
      if (bodyToSend != null) {
        builder
            .header("Content-Type", "application/json")
            .method(
                method, HttpRequest.BodyPublishers.ofString(bodyToSend, StandardCharsets.UTF_8));
      } else {
        builder.method(method, HttpRequest.BodyPublishers.noBody());
      }
      return ApiClient.send(http, builder.build());
    }
  }

  /**
   * {@code METHOD\nPATH\nk1=v1&k2=v2...}: the parameters (without auth_signature) sorted by key,
   * values not encoded.
   */
  public static String stringToSign(String method, String path, Map<String, String> params) {
    String canonical =
        new TreeMap<>(params)
            .entrySet().stream()
                .filter(e -> !e.getKey().equals("auth_signature"))
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
    return method + "\n" + path + "\n" + canonical;
  }

  /** A plain unsigned GET of {@code url}. */
  public static Response getUrl(String url) {
    return send(
        HTTP, HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build());
  }

  private static Response send(HttpClient http, HttpRequest request) {
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String encode(String value) {
    // Commas stay raw, as the SDKs send info=user_count,subscription_count.
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%2C", ",");
  }
}
