package dev.herald.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.auth.Signatures;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signed Pusher HTTP API calls as the Pusher PHP SDK makes them for Laravel: {@code auth_key},
 * {@code auth_timestamp} from this machine's clock, {@code auth_version}, {@code body_md5}, and the
 * HMAC-SHA256 of {@code METHOD\nPATH\nQUERY} where PATH includes the mount prefix (the SDK's {@code
 * path} option). Thread-safe.
 */
final class SignedApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Connector connector;
  private final String appId;
  private final String key;
  private final String secret;
  private final Clock clock;

  SignedApi(Connector connector, String appId, String key, String secret, Clock clock) {
    this.connector = connector;
    this.appId = appId;
    this.key = key;
    this.secret = secret;
    this.clock = clock;
  }

  Connector connector() {
    return connector;
  }

  /** The seconds this machine's clock reads, as put in {@code auth_timestamp}. */
  long now() {
    return clock.millis() / 1000;
  }

  HttpAnswer listChannels(Target target) throws IOException {
    return send(target, "GET", "/apps/" + appId + "/channels", new byte[0]);
  }

  /** {@code POST events} with a {@code channels} list, as Laravel's broadcaster sends it. */
  HttpAnswer trigger(Target target, String channel, String event, String data) throws IOException {
    byte[] body =
        JSON.writeValueAsBytes(
            Map.of("name", event, "channels", java.util.List.of(channel), "data", data));
    return send(target, "POST", "/apps/" + appId + "/events", body);
  }

  private HttpAnswer send(Target target, String method, String apiPath, byte[] body)
      throws IOException {
    TreeMap<String, String> params = new TreeMap<>();
    params.put("auth_key", key);
    params.put("auth_timestamp", Long.toString(now()));
    params.put("auth_version", "1.0");
    if (body.length > 0) {
      params.put("body_md5", Signatures.md5Hex(body));
    }
    StringBuilder canonical = new StringBuilder();
    StringBuilder query = new StringBuilder();
    params.forEach(
        (name, value) -> {
          canonical
              .append(canonical.length() == 0 ? "" : "&")
              .append(name)
              .append('=')
              .append(value);
          query
              .append(query.length() == 0 ? "?" : "&")
              .append(name)
              .append('=')
              .append(encode(value));
        });
    String signed = method + "\n" + target.path() + apiPath + "\n" + canonical;
    query.append("&auth_signature=").append(Signatures.hmacSha256Hex(secret, signed));
    Map<String, String> headers =
        body.length > 0 ? Map.of("Content-Type", "application/json") : Map.of();
    return HttpWire.exchange(connector, target, method, apiPath + query, headers, body);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
