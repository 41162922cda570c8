package dev.herald.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.protocol.PresenceMember;
import dev.herald.protocol.ServerFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalChannelDirectoryTest {
  private final LocalChannelDirectory directory = new LocalChannelDirectory();

  @Test
  void reportsOccupiedOnTheFirstSubscriptionAndVacatedOnTheLast() {
    assertTrue(directory.join("a", "c", "1.1", null, 100).result().channelOccupied());
    assertFalse(directory.join("a", "c", "1.2", null, 100).result().channelOccupied());
    assertFalse(directory.leave("a", "c", "1.1", null).result().channelVacated());
    assertTrue(directory.leave("a", "c", "1.2", null).result().channelVacated());
    assertFalse(directory.channel("a", "c").result().occupied());
  }

  @Test
  void countsPresenceMembersPerUserNotPerConnection() {
    PresenceMember ann = new PresenceMember("ann", "{\"name\":\"Ann\"}");
    assertTrue(directory.join("a", "presence-r", "1.1", ann, 100).result().memberAdded());
    Join second = directory.join("a", "presence-r", "1.2", ann, 100).result();
    assertFalse(second.memberAdded());
    assertEquals(
        ServerFrames.presenceSubscriptionSucceeded("presence-r", List.of(ann)),
        second.presenceSucceeded());
    assertEquals(
        new ChannelInfo("presence-r", 2, 1), directory.channel("a", "presence-r").result());
    assertFalse(directory.leave("a", "presence-r", "1.1", "ann").result().memberRemoved());
    assertTrue(directory.leave("a", "presence-r", "1.2", "ann").result().memberRemoved());
  }

  @Test
  void sharesOnePresenceFrameBetweenJoinsThatSawTheSameMembers() {
    PresenceMember ann = new PresenceMember("ann", null);
    PresenceMember bob = new PresenceMember("bob", "{\"name\":\"Bob\"}");
    Join first = directory.join("a", "presence-r", "1.1", ann, 100).result();
    Join again = directory.join("a", "presence-r", "1.2", ann, 100).result();
    assertSame(first.presenceSucceeded(), again.presenceSucceeded());
    Join withBob = directory.join("a", "presence-r", "1.3", bob, 100).result();
    assertEquals(
        ServerFrames.presenceSubscriptionSucceeded("presence-r", List.of(ann, bob)),
        withBob.presenceSucceeded());
    directory.leave("a", "presence-r", "1.3", "bob");
    assertEquals(
        first.presenceSucceeded(),
        directory.join("a", "presence-r", "1.4", ann, 100).result().presenceSucceeded());
    assertNull(directory.join("a", "public", "1.1", null, 100).result().presenceSucceeded());
  }

  @Test
  void refusesANewUserWhenThePresenceChannelIsFullButNotAnotherSocketOfAMember() {
    PresenceMember a = new PresenceMember("a", null);
    directory.join("app", "presence-r", "1.1", a, 2);
    directory.join("app", "presence-r", "1.2", new PresenceMember("b", null), 2);
    assertFalse(
        directory
            .join("app", "presence-r", "1.3", new PresenceMember("c", null), 2)
            .result()
            .accepted());
    assertTrue(directory.join("app", "presence-r", "1.4", a, 2).result().accepted());
    assertEquals(3, directory.channel("app", "presence-r").result().subscriptionCount());
  }

  @Test
  void listsOnlyOccupiedChannelsOfTheAppWithThePrefix() {
    directory.join("a", "presence-x", "1.1", new PresenceMember("u", null), 100);
    directory.join("a", "public", "1.1", null, 100);
    directory.join("b", "presence-y", "1.1", new PresenceMember("u", null), 100);
    assertEquals(
        List.of(new ChannelInfo("presence-x", 1, 1)),
        directory.channels("a", "presence-").result());
    assertEquals(2, directory.channels("a", "").result().size());
  }

  @Test
  void decidesFirstJoinAndLastLeaveExactlyOnceUnderConcurrency() throws Exception {
    int threads = 8;
    int perThread = 2_000;
    AtomicInteger added = new AtomicInteger();
    AtomicInteger removed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch done = new CountDownLatch(threads);
    List<Runnable> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String socket = "1." + t;
      work.add(
          () -> {
            for (int i = 0; i < perThread; i++) {
              if (directory
                  .join("a", "presence-r", socket, new PresenceMember("same", null), 100)
                  .result()
                  .memberAdded()) {
                added.incrementAndGet();
              }
              if (directory.leave("a", "presence-r", socket, "same").result().memberRemoved()) {
                removed.incrementAndGet();
              }
            }
            done.countDown();
          });
    }
    work.forEach(pool::execute);
    assertTrue(done.await(30, TimeUnit.SECONDS));
    pool.shutdown();
    assertEquals(added.get(), removed.get());
    assertFalse(directory.channel("a", "presence-r").result().occupied());
  }
}
