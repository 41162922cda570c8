package dev.herald.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Pusher HTTP API as the SDKs call it: {@code auth_key}, {@code auth_timestamp}, {@code
 * auth_version=1.0}, {@code body_md5} and {@code auth_signature} = hex HMAC-SHA256 over {@code
 * METHOD\nPATH\nsorted query}. Also the channel authorisation strings of private and presence
 * channels. Thread-safe (per-thread MAC and digest instances).
 */
final class PusherApi {

  private static final HexFormat HEX = HexFormat.of();

  final String appId;
  final String key;
  private final String secret;
  private final String prefix;
  private final HttpClient http;
  private final ThreadLocal<Mac> mac;
  private final ThreadLocal<MessageDigest> md5 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("MD5");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException(e);
            }
          });

  PusherApi(Vertx vertx, Options o, int poolSize) {
    this.appId = o.str("app-id");
    this.key = o.str("key");
    this.secret = o.str("secret");
    String p = o.str("path");
    this.prefix = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost(o.str("host"))
                .setDefaultPort(
                    o.integer("api-port") > 0 ? o.integer("api-port") : o.integer("port"))
                .setKeepAlive(true)
                .setConnectTimeout(10_000)
                .setIdleTimeout(60),
            new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(100_000));
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    this.mac =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(secretBytes, "HmacSHA256"));
                return m;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  String hmacHex(String message) {
    return HEX.formatHex(mac.get().doFinal(message.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code key:hmac(socket_id:channel)}. */
  String privateAuth(String socketId, String channel) {
    return key + ":" + hmacHex(socketId + ":" + channel);
  }

  /** {@code key:hmac(socket_id:channel:channel_data)}. */
  String presenceAuth(String socketId, String channel, String channelData) {
    return key + ":" + hmacHex(socketId + ":" + channel + ":" + channelData);
  }

  /** The signed request URI (prefix + path + query) for a body sent to {@code /apps/{id}/...}. */
  String signedUri(String method, String route, String body) {
    String path = prefix + "/apps/" + appId + "/" + route;
    String query =
        "auth_key="
            + key
            + "&auth_timestamp="
            + (System.currentTimeMillis() / 1000)
            + "&auth_version=1.0"
            + (body == null
                ? ""
                : "&body_md5="
                    + HEX.formatHex(md5.get().digest(body.getBytes(StandardCharsets.UTF_8))));
    String signature = hmacHex(method + "\n" + path + "\n" + query);
    return path + "?" + query + "&auth_signature=" + signature;
  }

  /** POSTs a JSON body to {@code /apps/{id}/{route}}; the future holds the status code. */
  Future<Integer> post(String route, String body) {
    String uri = signedUri("POST", route, body);
    return http.request(HttpMethod.POST, uri)
        .compose(
            req ->
                req.putHeader("content-type", "application/json")
                    .send(body)
                    .compose(resp -> resp.body().map(b -> resp.statusCode())));
  }

  /** GETs {@code /apps/{id}/{route}}; the future holds the body (status 200) or fails. */
  Future<String> get(String route) {
    String uri = signedUri("GET", route, null);
    return http.request(HttpMethod.GET, uri)
        .compose(
            req ->
                req.send()
                    .compose(
                        resp ->
                            resp.body()
                                .compose(
                                    b ->
                                        resp.statusCode() == 200
                                            ? Future.succeededFuture(b.toString())
                                            : Future.failedFuture(
                                                "HTTP " + resp.statusCode() + ": " + b))));
  }

  void close() {
    http.close();
  }

  /** The body of {@code POST events}: data carries the send time and a sequence number. */
  static String eventBody(String channel, long sendNanos, long seq, String padding) {
    return "{\"name\":\"bench\",\"channels\":[\""
        + channel
        + "\"],\"data\":\"{\\\"_bt\\\":"
        + sendNanos
        + ",\\\"_bs\\\":"
        + seq
        + ",\\\"p\\\":\\\""
        + padding
        + "\\\"}\"}";
  }

  /** One element of a batch: {@code {"channel","name","data"}}. */
  static String batchItem(String channel, long sendNanos, long seq, String padding) {
    return "{\"channel\":\""
        + channel
        + "\",\"name\":\"bench\",\"data\":\"{\\\"_bt\\\":"
        + sendNanos
        + ",\\\"_bs\\\":"
        + seq
        + ",\\\"p\\\":\\\""
        + padding
        + "\\\"}\"}";
  }

  static String padding(int bytes) {
    return "x".repeat(Math.max(0, bytes));
  }
}
