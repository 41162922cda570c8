package dev.herald.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriberSetTest {
  private record Stub(String socketId) implements Subscriber {
    @Override
    public void deliver(OutboundFrame frame) {}

    @Override
    public boolean needsMembership(String channel, long membershipVersion) {
      return true;
    }

    @Override
    public void close(ErrorCode code, String message) {}
  }

  private static List<Subscriber> stubs(int count) {
    List<Subscriber> stubs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      stubs.add(new Stub("1." + i));
    }
    return stubs;
  }

  @Test
  void addsEachSubscriberOnceBelowAndAboveTheSmallSize() {
    SubscriberSet set = new SubscriberSet();
    List<Subscriber> stubs = stubs(SubscriberSet.SMALL * 3);
    for (int i = 0; i < stubs.size(); i++) {
      set.add(stubs.get(i));
      set.add(stubs.get(i));
      assertEquals(i + 1, set.size());
      assertEquals(
          new HashSet<>(stubs.subList(0, i + 1)), new HashSet<>(Arrays.asList(set.snapshot())));
    }
  }

  @Test
  void removesOnlyMembersAndEmptiesSmallAndLargeSets() {
    for (int count : new int[] {1, SubscriberSet.SMALL, SubscriberSet.SMALL + 1, 100}) {
      SubscriberSet set = new SubscriberSet();
      List<Subscriber> stubs = stubs(count);
      stubs.forEach(set::add);
      assertFalse(set.remove(new Stub("other")));
      for (int i = count - 1; i >= 0; i -= 2) {
        assertTrue(set.remove(stubs.get(i)));
        assertFalse(set.remove(stubs.get(i)));
      }
      for (int i = count - 2; i >= 0; i -= 2) {
        assertTrue(set.remove(stubs.get(i)));
      }
      assertTrue(set.isEmpty(), "count " + count);
      assertEquals(0, set.snapshot().length);
    }
  }

  @Test
  void aSnapshotDoesNotChangeWhenTheSetDoes() {
    SubscriberSet set = new SubscriberSet();
    List<Subscriber> stubs = stubs(3);
    stubs.forEach(set::add);
    Subscriber[] snapshot = set.snapshot();
    for (Subscriber subscriber : snapshot) {
      set.remove(subscriber);
    }
    assertEquals(3, snapshot.length);
    assertEquals(new HashSet<>(stubs), new HashSet<>(Arrays.asList(snapshot)));
  }
}
