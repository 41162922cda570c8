package dev.herald.scaling.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script shipped in {@code /redis/*.lua}, run with EVALSHA and loaded with EVAL the first
 * time a Redis (or a restarted one) does not know it. Immutable, thread-safe.
 */
final class RedisScript {
  private final String source;
  private final String sha1;

  private RedisScript(String source) {
    this.source = source;
    try {
      this.sha1 =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1")
                      .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static RedisScript load(String name) {
    try (InputStream in = RedisScript.class.getResourceAsStream("/redis/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing script " + name);
      }
      return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the script. {@code keys} must name at least one key, all in one hash slot: a Redis Cluster
   * runs the script on the node its keys hash to (see {@link RedisKeys}), so a script without keys
   * would land on any node.
   */
  Future<Response> run(RedisConnector redis, List<String> keys, List<String> args) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a script must declare the keys it uses");
    }
    return redis
        .send(request(Command.EVALSHA, sha1, keys, args))
        .recover(
            error ->
                error.getMessage() != null && error.getMessage().startsWith("NOSCRIPT")
                    ? redis.send(request(Command.EVAL, source, keys, args))
                    : Future.failedFuture(error));
  }

  private static Request request(
      Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }
}
