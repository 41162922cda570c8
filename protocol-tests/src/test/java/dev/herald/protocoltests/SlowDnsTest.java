package dev.herald.protocoltests;

import static dev.herald.protocoltests.Frames.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Host names are resolved without stalling an event loop: while the DNS answer for a webhook
 * target's host is outstanding, the server's one event loop ({@code HERALD_EVENT_LOOPS=1}) still
 * delivers events to WebSocket clients and accepts newcomers; once the answer comes, the webhook
 * goes out. The resolver is {@link SlowDnsServer} on loopback, set with {@code HERALD_DNS_SERVERS}.
 * With the JDK's resolver, which Herald used before, the lookup ran on the event loop that sent the
 * webhook and everything on that loop waited for it.
 */
class SlowDnsTest {

  private static final String HOST = "hook.herald.test";

  /** Prompt delivery: far below the time the DNS answer is held. */
  private static final Duration PROMPTLY = Duration.ofSeconds(2);

  @Test
  void clientsAreServedWhileAWebhookHostLookupIsPending() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start();
        SlowDnsServer dns = SlowDnsServer.start(HOST);
        HeraldProcess herald =
            HeraldProcess.withDefaults()
                .env("HERALD_EVENT_LOOPS", "1")
                .env("HERALD_DNS_SERVERS", dns.address())
                .env(
                    "HERALD_APP_WEBHOOKS",
                    "[{\"url\":\"http://"
                        + HOST
                        + ":"
                        + receiver.port()
                        + "/hook\",\"event_types\":[\"channel_occupied\"]}]")
                .env("HERALD_WEBHOOK_BATCH_MS", "20")
                .start()) {
      String hooked = Unique.name("hooked-");
      String watched = Unique.name("watched-");
      try (RawClient watcher = RawClient.open(herald.wsUrl());
          RawClient occupier = RawClient.open(herald.wsUrl())) {
        watcher.subscribeOk(watched);
        // Occupying a channel sends a webhook, whose host the server must now look up.
        occupier.subscribeOk(hooked);
        String query = dns.awaitQuery(WebhookReceiver.TIMEOUT);
        assertTrue(query.startsWith(HOST + "/"), query);

        long lookupPending = System.nanoTime();
        for (int i = 0; i < 5; i++) {
          long sent = System.nanoTime();
          herald.api().trigger(watched, "while-resolving", Integer.toString(i));
          watcher.assertNext(event(watched, "while-resolving", Integer.toString(i)));
          Duration took = Duration.ofNanos(System.nanoTime() - sent);
          assertTrue(took.compareTo(PROMPTLY) < 0, "an event took " + took);
        }
        try (RawClient newcomer = RawClient.open(herald.wsUrl())) {
          newcomer.assertPingPong();
        }
        Duration served = Duration.ofNanos(System.nanoTime() - lookupPending);
        assertTrue(receiver.requests().isEmpty(), "the webhook went out before DNS answered");

        dns.release();
        List<?> delivered =
            receiver.awaitDelivered(
                hook ->
                    hook.path("channel").asText().equals(hooked)
                        && hook.path("name").asText().equals("channel_occupied"),
                1);
        assertEquals(1, delivered.size());
        System.out.println(
            "SlowDnsTest: 5 events and a newcomer served in "
                + served.toMillis()
                + " ms while the webhook host's lookup was held; the webhook was delivered once"
                + " the answer came");
      }
      receiver.assertEveryRequestWasValid();
    }
  }
}
