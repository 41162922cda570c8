package dev.herald.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectionRegistryTest {

  @Test
  void socketIdsAreTwoRandomNonNegativeIntegersJoinedByADotAsPusherMakesThem() {
    ConnectionRegistry registry = new ConnectionRegistry();
    Set<String> seen = new HashSet<>();
    Set<String> firstHalves = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = registry.newSocketId();
      assertTrue(id.matches("\\d{1,10}\\.\\d{1,10}"), id);
      seen.add(id);
      firstHalves.add(id.substring(0, id.indexOf('.')));
    }
    assertEquals(10_000, seen.size());
    // Both halves are random: a counter or a per-node prefix would repeat the first half.
    assertTrue(firstHalves.size() > 9_900, "first halves: " + firstHalves.size());
  }
}
