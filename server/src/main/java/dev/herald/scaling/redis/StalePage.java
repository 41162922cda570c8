package dev.herald.scaling.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code SSCAN} page of a set of this node's records in Redis ({@code app\nkey\nsocket}
 * entries): the cursor to go on from ({@code "0"} when done) and the entries, split in three, that
 * the node no longer holds. Reconciling after an outage walks a node's sets page by page so that no
 * single command holds Redis for the others. Immutable.
 */
record StalePage(String next, List<String[]> stale) {

  /** Reads the page of {@code key} at {@code cursor}, keeping entries absent from {@code held}. */
  static Future<StalePage> read(
      RedisConnector redis, String key, String cursor, Map<String, ?> held) {
    return redis
        .send(
            Request.cmd(Command.SSCAN)
                .arg(key)
                .arg(cursor)
                .arg("COUNT")
                .arg(RedisChannelDirectory.SCAN_BATCH))
        .map(
            page -> {
              List<String[]> stale = new ArrayList<>();
              for (Response value : page.get(1)) {
                String entry = value.toString();
                String[] parts = entry.split("\n", 3);
                if (parts.length == 3 && !held.containsKey(entry)) {
                  stale.add(parts);
                }
              }
              return new StalePage(page.get(0).toString(), stale);
            });
  }

  boolean last() {
    return "0".equals(next);
  }
}
