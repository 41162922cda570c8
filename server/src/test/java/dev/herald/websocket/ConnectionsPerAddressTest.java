package dev.herald.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionsPerAddressTest {

  @Test
  void anAddressGetsTheCapAndAPlaceBackWhenOneCloses() {
    ConnectionsPerAddress cap = new ConnectionsPerAddress(2);
    assertTrue(cap.tryAcquire("10.0.0.1"));
    assertTrue(cap.tryAcquire("10.0.0.1"));
    assertFalse(cap.tryAcquire("10.0.0.1"));
    assertTrue(cap.tryAcquire("10.0.0.2"), "another address has its own count");
    cap.release("10.0.0.1");
    assertTrue(cap.tryAcquire("10.0.0.1"));
    assertEquals(2, cap.count("10.0.0.1"));
  }

  @Test
  void anAddressWithNoConnectionIsForgotten() {
    ConnectionsPerAddress cap = new ConnectionsPerAddress(2);
    cap.tryAcquire("10.0.0.1");
    cap.release("10.0.0.1");
    cap.release("10.0.0.1");
    assertEquals(0, cap.count("10.0.0.1"));
    assertTrue(cap.tryAcquire("10.0.0.1"));
    assertTrue(cap.tryAcquire("10.0.0.1"));
    assertFalse(cap.tryAcquire("10.0.0.1"), "a stray release must not raise the cap");
  }

  @Test
  void zeroMeansNoLimit() {
    ConnectionsPerAddress none = new ConnectionsPerAddress(0);
    for (int i = 0; i < 10_000; i++) {
      assertTrue(none.tryAcquire("10.0.0.1"));
    }
    assertEquals(0, none.count("10.0.0.1"));
  }

  @Test
  void concurrentAcquiresNeverExceedTheCap() throws InterruptedException {
    ConnectionsPerAddress cap = new ConnectionsPerAddress(100);
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      threads.execute(
          () -> {
            for (int i = 0; i < 1000; i++) {
              if (cap.tryAcquire("10.0.0.1")) {
                admitted.incrementAndGet();
              }
            }
          });
    }
    threads.shutdown();
    assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    assertEquals(100, admitted.get());
    assertEquals(100, cap.count("10.0.0.1"));
  }
}
