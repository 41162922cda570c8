package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.assertCacheMiss;
import static dev.herald.protocoltests.Frames.assertPresenceSucceeded;
import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cache channels (cache-, private-cache-, presence-cache-, private-encrypted-cache-): the last
 * HTTP-API event replayed to each new subscriber, {@code pusher:cache_miss}, and {@code
 * info=cache}.
 */
class CacheChannelsTest {

  @RegisterExtension static final HeraldProcess herald = HeraldProcess.withDefaults();

  // ---- replay ----------------------------------------------------------------------------------

  @Test
  void newSubscriberGetsSubscriptionSucceededThenTheCachedFrameExactlyAsBroadcast() {
    String channel = Unique.name("cache-");
    try (RawClient early = herald.open();
        RawClient late = herald.open()) {
      early.subscribeOk(channel);
      assertCacheMiss(early.awaitJson(), channel);
      herald.api().trigger(channel, "price", "{\"amount\":42}");
      String broadcast = early.awaitText(RawClient.TIMEOUT);
      Json.assertJson(event(channel, "price", "{\"amount\":42}"), Json.parse(broadcast));

      late.subscribeOk(channel);
      assertEquals(broadcast, late.awaitText(RawClient.TIMEOUT));
      late.assertPingPong();
    }
  }

  @Test
  void subscriberWithNothingCachedGetsExactlyCacheMiss() {
    String channel = Unique.name("cache-");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      JsonNode miss = client.awaitJson();
      Json.assertJson("{\"event\":\"pusher:cache_miss\",\"channel\":\"" + channel + "\"}", miss);
      client.assertPingPong();
    }
  }

  @Test
  void eventPublishedWithNoSubscriberIsStillCached() {
    String channel = Unique.name("cache-");
    herald.api().trigger(channel, "price", "1");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      client.assertNext(event(channel, "price", "1"));
      client.assertPingPong();
    }
  }

  @Test
  void eventExcludingASocketIsStillCachedForLaterSubscribers() {
    String channel = Unique.name("cache-");
    try (RawClient excluded = herald.open()) {
      excluded.subscribeOk(channel);
      assertCacheMiss(excluded.awaitJson(), channel);
      String body =
          Json.write(
              Map.of(
                  "name",
                  "skip-me",
                  "channel",
                  channel,
                  "data",
                  "1",
                  "socket_id",
                  excluded.socketId()));
      ApiClient.Response response = herald.api().post("/events", body);
      assertEquals(200, response.status(), response::body);
      excluded.assertPingPong();
      try (RawClient late = herald.open()) {
        late.subscribeOk(channel);
        late.assertNext(event(channel, "skip-me", "1"));
      }
    }
  }

  @Test
  void laterEventReplacesTheCachedOne() {
    String channel = Unique.name("cache-");
    herald.api().trigger(channel, "first", "1");
    herald.api().trigger(channel, "second", "2");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      client.assertNext(event(channel, "second", "2"));
      client.assertPingPong();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"private-cache-", "private-encrypted-cache-"})
  void privateCacheChannelsReplayTheCachedEventAfterAnAuthorizedSubscribe(String prefix) {
    String channel = Unique.name(prefix);
    herald.api().trigger(channel, "state", "{\"on\":true}");
    try (RawClient client = herald.open()) {
      client.subscribePrivateOk(channel);
      client.assertNext(event(channel, "state", "{\"on\":true}"));
      client.assertPingPong();
    }
  }

  @Test
  void presenceCacheChannelReplaysTheCachedEventAfterThePresenceSucceeded() {
    String channel = Unique.name("presence-cache-");
    herald.api().trigger(channel, "state", "s1");
    try (RawClient client = herald.open()) {
      client.subscribePresence(channel, "{\"user_id\":\"u1\"}");
      assertPresenceSucceeded(client.awaitJson(), channel, "{\"u1\":null}");
      client.assertNext(event(channel, "state", "s1"));
      client.assertPingPong();
    }
  }

  @Test
  void presenceCacheChannelWithNothingCachedSendsCacheMissAfterThePresenceSucceeded() {
    String channel = Unique.name("presence-cache-");
    try (RawClient client = herald.open()) {
      client.subscribePresence(channel, "{\"user_id\":\"u1\"}");
      assertPresenceSucceeded(client.awaitJson(), channel, "{\"u1\":null}");
      assertCacheMiss(client.awaitJson(), channel);
    }
  }

  @Test
  void refusedSubscriptionToACacheChannelGetsNoCachedFrame() {
    String channel = Unique.name("private-cache-");
    herald.api().trigger(channel, "state", "secret");
    try (RawClient client = herald.open()) {
      client.sendJson(Map.of("event", "pusher:subscribe", "data", Map.of("channel", channel)));
      Frames.assertSubscriptionError(client.awaitJson(), channel, "AuthError", 401);
      client.assertPingPong();
    }
  }

  @Test
  void clientEventsOnAPrivateCacheChannelAreRelayedButNotCached() {
    String channel = Unique.name("private-cache-");
    try (RawClient sender = herald.open();
        RawClient receiver = herald.open();
        RawClient late = herald.open()) {
      sender.subscribePrivateOk(channel);
      assertCacheMiss(sender.awaitJson(), channel);
      receiver.subscribePrivateOk(channel);
      assertCacheMiss(receiver.awaitJson(), channel);

      sender.sendText(
          "{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":{\"on\":1}}");
      receiver.assertNext(
          "{\"event\":\"client-typing\",\"channel\":\"" + channel + "\",\"data\":{\"on\":1}}");

      late.subscribePrivateOk(channel);
      assertCacheMiss(late.awaitJson(), channel);
      Json.assertJson("null", cacheInfo(channel).get("cache"));
    }
  }

  @Test
  void nonCacheChannelsGetNoCacheMiss() {
    String channel = Unique.name("plain-");
    herald.api().trigger(channel, "before", "1");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      client.assertPingPong();
    }
  }

  @Test
  void batchEventsAreCachedTooAndTheLastOneOfAChannelWins() {
    String one = Unique.name("cache-");
    String two = Unique.name("cache-");
    String body =
        Json.write(
            Map.of(
                "batch",
                List.of(
                    Map.of("channel", one, "name", "a", "data", "1"),
                    Map.of("channel", two, "name", "b", "data", "2"),
                    Map.of("channel", one, "name", "c", "data", "3"))));
    ApiClient.Response response = herald.api().post("/batch_events", body);
    assertEquals(200, response.status(), response::body);
    try (RawClient client = herald.open()) {
      client.subscribeOk(one);
      client.assertNext(event(one, "c", "3"));
      client.subscribeOk(two);
      client.assertNext(event(two, "b", "2"));
    }
  }

  @Test
  void eventToSeveralChannelsIsCachedOnEachCacheChannel() {
    String one = Unique.name("cache-");
    String two = Unique.name("private-cache-");
    String body =
        Json.write(Map.of("name", "multi", "channels", List.of(one, two), "data", "{\"n\":1}"));
    ApiClient.Response response = herald.api().post("/events", body);
    assertEquals(200, response.status(), response::body);
    try (RawClient client = herald.open()) {
      client.subscribeOk(one);
      client.assertNext(event(one, "multi", "{\"n\":1}"));
      client.subscribePrivateOk(two);
      client.assertNext(event(two, "multi", "{\"n\":1}"));
    }
  }

  // ---- info=cache ------------------------------------------------------------------------------

  @Test
  void cacheInfoHasTheCachedEventNameDataAndRemainingTtl() {
    String channel = Unique.name("cache-");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      assertCacheMiss(client.awaitJson(), channel);
      herald.api().trigger(channel, "price", "{\"amount\":42}");
      client.assertNext(event(channel, "price", "{\"amount\":42}"));

      JsonNode info = cacheInfo(channel);
      assertEquals(Set.of("occupied", "cache"), Frames.fieldNames(info), info::toString);
      assertEquals(true, info.get("occupied").asBoolean(), info::toString);
      JsonNode cache = info.get("cache");
      assertEquals(Set.of("event", "data", "ttl"), Frames.fieldNames(cache), info::toString);
      assertEquals("price", cache.get("event").asText(), info::toString);
      assertEquals("{\"amount\":42}", cache.get("data").asText(), info::toString);
      assertTrue(cache.get("ttl").isIntegralNumber(), info::toString);
      int ttl = cache.get("ttl").asInt();
      assertTrue(ttl > 1790 && ttl <= 1800, () -> "default TTL is 1800 s: " + info);
    }
  }

  @Test
  void cacheInfoIsGivenForAnUnoccupiedChannelToo() {
    String channel = Unique.name("cache-");
    herald.api().trigger(channel, "price", "7");
    JsonNode info = cacheInfo(channel);
    assertEquals(false, info.get("occupied").asBoolean(), info::toString);
    assertEquals("price", info.get("cache").path("event").asText(), info::toString);
    assertEquals("7", info.get("cache").path("data").asText(), info::toString);

    String never = Unique.name("cache-");
    Json.assertJson("{\"occupied\":false,\"cache\":null}", cacheInfo(never));
  }

  @Test
  void cacheInfoIsNullWhenNothingIsCached() {
    String channel = Unique.name("cache-");
    try (RawClient client = herald.open()) {
      client.subscribeOk(channel);
      assertCacheMiss(client.awaitJson(), channel);
      Json.assertJson("{\"occupied\":true,\"cache\":null}", cacheInfo(channel));
    }
  }

  @Test
  void cacheInfoOnANonCacheChannelIs400() {
    String channel = Unique.name("plain-");
    ApiClient.Response response = herald.api().get("/channels/" + channel, "info", "cache");
    assertEquals(400, response.status(), response::body);
    JsonNode body = response.json();
    assertTrue(body.path("error").isTextual(), response::body);
    assertEquals(400, body.path("code").asInt(), response::body);
  }

  // ---- expiry ----------------------------------------------------------------------------------

  /** A one-second TTL needs its own server. */
  @Nested
  class ShortTtl {

    @RegisterExtension
    static final HeraldProcess shortLived =
        HeraldProcess.withDefaults().env("HERALD_APP_CACHE_TTL", "1");

    @Test
    void cachedEventExpiresAfterTheConfiguredTtl() {
      String channel = Unique.name("cache-");
      shortLived.api().trigger(channel, "soon-gone", "x");
      JsonNode fresh = cacheInfo(shortLived, channel).get("cache");
      assertEquals("soon-gone", fresh.path("event").asText(), fresh::toString);
      assertTrue(fresh.path("ttl").asInt(-1) <= 1, fresh::toString);

      // Expiry is a matter of time: poll the cache state until it is gone, within a deadline.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!cacheInfo(shortLived, channel).get("cache").isNull()) {
        if (System.nanoTime() > deadline) {
          fail("cache of " + channel + " still present 10 s after a 1 s TTL");
        }
        pause(Duration.ofMillis(100));
      }
      try (RawClient client = shortLived.open()) {
        client.subscribeOk(channel);
        assertCacheMiss(client.awaitJson(), channel);
      }
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static JsonNode cacheInfo(String channel) {
    return cacheInfo(herald, channel);
  }

  private static JsonNode cacheInfo(HeraldProcess server, String channel) {
    ApiClient.Response response = server.api().get("/channels/" + channel, "info", "cache");
    assertEquals(200, response.status(), response::body);
    JsonNode body = response.json();
    assertTrue(body.has("cache"), () -> "no cache member in " + response.body());
    return body;
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
