package dev.herald.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.protocol.ChannelName;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionSubscriptionsTest {
  private static Session.Subscription subscription(String name) {
    return new Session.Subscription(ChannelName.parse(name, 200), null, 0);
  }

  @Test
  void behavesAsAMapBelowAndAboveTheSmallSize() {
    SessionSubscriptions subscriptions = new SessionSubscriptions();
    int count = SessionSubscriptions.SMALL * 3;
    for (int i = 0; i < count; i++) {
      String name = "channel-" + i;
      assertNull(subscriptions.get(name));
      subscriptions.put(name, subscription(name));
      assertEquals(i + 1, subscriptions.size());
      for (int j = 0; j <= i; j++) {
        assertEquals("channel-" + j, subscriptions.get("channel-" + j).channel().value());
      }
    }
    assertEquals(count, new HashSet<>(subscriptions.keySet()).size());
    for (int i = 0; i < count; i += 2) {
      assertEquals("channel-" + i, subscriptions.remove("channel-" + i).channel().value());
      assertNull(subscriptions.remove("channel-" + i));
    }
    assertEquals(count / 2, subscriptions.size());
    for (int i = 0; i < count; i++) {
      assertEquals(i % 2 == 1, subscriptions.containsKey("channel-" + i), "channel-" + i);
    }
  }

  @Test
  void putReplacesTheSubscriptionOfTheSameChannel() {
    SessionSubscriptions subscriptions = new SessionSubscriptions();
    subscriptions.put("a", subscription("a"));
    Session.Subscription newer = subscription("a").withSnapshotVersion(7);
    subscriptions.put("a", newer);
    assertEquals(1, subscriptions.size());
    assertSame(newer, subscriptions.get("a"));
  }

  @Test
  void keySetIsACopySafeToIterateWhileRemoving() {
    SessionSubscriptions subscriptions = new SessionSubscriptions();
    for (String name : List.of("a", "b", "c")) {
      subscriptions.put(name, subscription(name));
    }
    Set<String> seen = new HashSet<>();
    for (String name : subscriptions.keySet()) {
      seen.add(name);
      subscriptions.remove(name);
    }
    assertEquals(Set.of("a", "b", "c"), seen);
    assertEquals(0, subscriptions.size());
    assertFalse(subscriptions.containsKey("a"));
    assertTrue(subscriptions.keySet().isEmpty());
  }
}
