package dev.herald.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The hand-written client protocol on an EmbeddedChannel: the upgrade, frames of every length
 * encoding, frames split over reads and several in one read, fragmented messages, ping, close, and
 * that every received buffer is released.
 */
class ConnTest {

  private static final String UPGRADE =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: x\r\n\r\n";
  private static final String ESTABLISHED =
      "{\"event\":\"pusher:connection_established\","
          + "\"data\":\"{\\\"socket_id\\\":\\\"1.2\\\",\\\"activity_timeout\\\":30}\"}";

  private final List<Long> bench = new ArrayList<>();
  private final List<ByteBuf> fed = new ArrayList<>();
  private int closes;
  private final List<Boolean> members = new ArrayList<>();

  private final Conn.Sink sink =
      new Conn.Sink() {
        @Override
        public void onBench(Conn c, long sentNanos, long now) {
          bench.add(sentNanos);
        }

        @Override
        public void onMember(Conn c, boolean added) {
          members.add(added);
        }

        @Override
        public void onUnexpectedClose(Conn c) {
          closes++;
        }
      };

  private Conn conn;
  private EmbeddedChannel ch;

  private void open() {
    conn = new Conn(0, sink, "127.0.0.1", 7101, "/app/k?protocol=7");
    ch = new EmbeddedChannel(conn);
    ByteBuf request = ch.readOutbound();
    String r = request.toString(StandardCharsets.US_ASCII);
    request.release();
    assertTrue(r.startsWith("GET /app/k?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1:7101\r\n"), r);
    assertTrue(r.contains("Sec-WebSocket-Key: ") && r.endsWith("\r\n\r\n"), r);
  }

  /** Feeds the bytes to the handler in reads of the given sizes (the rest in one last read). */
  private void feed(byte[] bytes, int... sizes) {
    int p = 0;
    for (int size : sizes) {
      int n = Math.min(size, bytes.length - p);
      feedOne(bytes, p, n);
      p += n;
    }
    if (p < bytes.length) {
      feedOne(bytes, p, bytes.length - p);
    }
  }

  private void feedOne(byte[] bytes, int p, int n) {
    ByteBuf b = Unpooled.directBuffer(n).writeBytes(bytes, p, n);
    fed.add(b);
    ch.writeInbound(b);
  }

  private static byte[] frame(boolean fin, int opcode, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | opcode);
    int n = payload.length;
    if (n < 126) {
      out.write(n);
    } else if (n < 65536) {
      out.write(126);
      out.write(n >>> 8);
      out.write(n);
    } else {
      out.write(127);
      for (int s = 56; s >= 0; s -= 8) {
        out.write((int) ((long) n >>> s));
      }
    }
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static byte[] text(String s) {
    return frame(true, 1, s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The next frame the client wrote: {opcode, unmasked payload}; checks it is final and masked. */
  private Object[] written() {
    ByteBuf b = ch.readOutbound();
    try {
      int b0 = b.readUnsignedByte();
      int b1 = b.readUnsignedByte();
      assertEquals(0x80, b0 & 0x80, "FIN");
      assertEquals(0x80, b1 & 0x80, "masked");
      long n = b1 & 0x7F;
      if (n == 126) {
        n = b.readUnsignedShort();
      } else if (n == 127) {
        n = b.readLong();
      }
      byte[] mask = new byte[4];
      b.readBytes(mask);
      byte[] payload = new byte[(int) n];
      b.readBytes(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
      assertFalse(b.isReadable());
      return new Object[] {b0 & 0x0F, payload};
    } finally {
      b.release();
    }
  }

  private void assertAllReleased() {
    for (ByteBuf b : fed) {
      assertEquals(0, b.refCnt(), "a received buffer was not released");
    }
  }

  @Test
  void upgradeAndFramesSplitAnywhere() throws Exception {
    open();
    StringBuilder big =
        new StringBuilder("{\"event\":\"e\",\"data\":\"{\\\"_bt\\\":-42,\\\"p\\\":\\\"");
    big.append("x".repeat(70_000)).append("\\\"}\"}");
    byte[] all =
        concat(
            UPGRADE.getBytes(StandardCharsets.US_ASCII),
            text(ESTABLISHED),
            text(
                "{\"event\":\"e\",\"channel\":\"c\",\"data\":\"{\\\"_bt\\\":123,\\\"_bs\\\":1}\"}"),
            text("{\"event\":\"client-e\",\"data\":{\"_bt\":7}}"),
            text("{\"event\":\"e\",\"data\":\"{\\\"_bt\\\":\\\"none\\\"}\"}"),
            text("{\"event\":\"e\",\"data\":\"" + "y".repeat(300) + "_bt:9\"}"),
            text(big.toString()));
    // Byte by byte for the header and the first frames, then reads of awkward sizes.
    int[] sizes = new int[400];
    java.util.Arrays.fill(sizes, 1);
    feed(all, concat(sizes, new int[] {3, 7, 130, 1000, 5, 65_536}));
    CompletableFuture<Conn> f = conn.established();
    assertTrue(f.isDone());
    assertEquals("1.2", f.get().socketId());
    assertEquals(List.of(123L, 7L, Long.MIN_VALUE, 9L, -42L), bench);
    assertAllReleased();
    ch.finishAndReleaseAll();
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void wholeReadOfManyFramesAndFragmentsWithPingBetween() {
    open();
    byte[] ping = frame(true, 9, new byte[] {1, 2, 3});
    byte[] all =
        concat(
            UPGRADE.getBytes(StandardCharsets.US_ASCII),
            text(ESTABLISHED),
            frame(false, 1, "{\"data\":{\"_b".getBytes(StandardCharsets.UTF_8)),
            ping,
            frame(false, 0, "t\":5".getBytes(StandardCharsets.UTF_8)),
            frame(true, 0, "5}}".getBytes(StandardCharsets.UTF_8)),
            text("{\"event\":\"pusher:ping\",\"data\":{}}"),
            text("{\"event\":\"pusher_internal:member_removed\",\"data\":\"{}\"}"),
            text("{\"event\":\"pusher_internal:member_added\",\"data\":\"{}\"}"),
            text("{\"_bt\":1}"));
    feed(all);
    assertEquals(List.of(55L, 1L), bench);
    assertEquals(List.of(false, true), members);
    Object[] pong = written();
    assertEquals(0xA, pong[0]);
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) pong[1]);
    Object[] pusherPong = written();
    assertEquals(1, pusherPong[0]);
    assertEquals(
        "{\"event\":\"pusher:pong\",\"data\":{}}",
        new String((byte[]) pusherPong[1], StandardCharsets.UTF_8));
    conn.send("x".repeat(200));
    assertEquals("x".repeat(200), new String((byte[]) written()[1], StandardCharsets.UTF_8));
    assertAllReleased();
    ch.finishAndReleaseAll();
  }

  @Test
  void serverCloseIsAnsweredAndRecorded() {
    open();
    byte[] close = concat(new byte[] {0x0F, (byte) 0xA1}, "Over quota".getBytes());
    feed(
        concat(
            UPGRADE.getBytes(StandardCharsets.US_ASCII),
            text(ESTABLISHED),
            frame(true, 8, close),
            text("{\"_bt\":1}")));
    Object[] answer = written();
    assertEquals(8, answer[0]);
    assertArrayEquals(new byte[] {0x0F, (byte) 0xA1}, (byte[]) answer[1]);
    assertFalse(ch.isActive());
    assertEquals(1, closes);
    assertEquals("close 4001 Over quota", conn.lastClose);
    assertTrue(bench.isEmpty(), "nothing is read after a close frame");
    assertAllReleased();
    ch.finishAndReleaseAll();
  }

  @Test
  void refusedUpgradeFailsTheOpen() {
    open();
    feed("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> conn.established().get());
    assertTrue(e.getCause().getMessage().contains("HTTP/1.1 403 Forbidden"), e.getMessage());
    assertFalse(ch.isActive());
    assertAllReleased();
    ch.finishAndReleaseAll();
  }

  @Test
  void clientCloseSendsStatus1000AndExpectsNoReport() {
    open();
    feed(concat(UPGRADE.getBytes(StandardCharsets.US_ASCII), text(ESTABLISHED)));
    conn.close();
    ch.runPendingTasks();
    Object[] close = written();
    assertEquals(8, close[0]);
    assertArrayEquals(new byte[] {0x03, (byte) 0xE8}, (byte[]) close[1]);
    feed(frame(true, 8, new byte[] {0x03, (byte) 0xE8}));
    assertFalse(ch.isActive());
    assertEquals(0, closes);
    assertNull(ch.readOutbound());
    assertAllReleased();
    ch.finishAndReleaseAll();
  }
}
