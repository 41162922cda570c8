package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Counts benchmark frames received by a set of connections and records their end-to-end latency
 * (receipt nanoTime minus the {@code _bt} send time carried in the payload) in microseconds. Also
 * counts presence member events, errors and unexpected closes. Thread-safe.
 */
final class Deliveries implements Conn.Sink {

  static final long MAX_MICROS = 60_000_000L;

  final LongAdder count = new LongAdder();
  final LongAdder memberEvents = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder closes = new LongAdder();
  final ConcurrentHistogram latency = new ConcurrentHistogram(MAX_MICROS, 3);
  volatile String lastError;

  /** Connections with index below this count member events (presence observers); -1: all. */
  volatile int memberObserversBelow = -1;

  @Override
  public void onBench(Conn c, long sent, long now) {
    count.increment();
    if (sent != Long.MIN_VALUE) {
      latency.recordValue(Math.max(0, Math.min(MAX_MICROS, (now - sent) / 1000)));
    }
  }

  @Override
  public void onMember(Conn c, boolean added) {
    int below = memberObserversBelow;
    if (below < 0 || c.index < below) {
      memberEvents.increment();
    }
  }

  @Override
  public void onError(Conn c, String raw) {
    errors.increment();
    lastError = raw.length() > 300 ? raw.substring(0, 300) : raw;
  }

  @Override
  public void onUnexpectedClose(Conn c) {
    closes.increment();
    lastError = "conn " + c.index + " " + c.lastClose;
  }

  void reset() {
    count.reset();
    memberEvents.reset();
    latency.reset();
  }

  Histogram snapshot() {
    return latency.copy();
  }

  /** The first index of {@code key} in {@code [from, to)} of {@code b}; -1 when absent. */
  static int indexOf(ByteBuf b, int from, int to, byte[] key) {
    int last = to - key.length;
    for (int i = from; i <= last; i++) {
      i = b.indexOf(i, last + 1, key[0]);
      if (i < 0) {
        return -1;
      }
      int k = 1;
      while (k < key.length && b.getByte(i + k) == key[k]) {
        k++;
      }
      if (k == key.length) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The whole number starting at {@code i} (just after the key) of {@code b}, below {@code to},
   * skipping up to six quote, backslash and colon characters before it whatever the JSON escaping;
   * Long.MIN_VALUE when there is none.
   */
  static long numberAt(ByteBuf b, int i, int to) {
    int limit = Math.min(to, i + 6);
    while (i < limit && b.getByte(i) != '-' && !isDigit(b.getByte(i))) {
      i++;
    }
    boolean negative = i < to && b.getByte(i) == '-';
    if (negative) {
      i++;
    }
    long v = 0;
    int digits = 0;
    while (i < to && isDigit(b.getByte(i))) {
      v = v * 10 + (b.getByte(i++) - '0');
      digits++;
    }
    if (digits == 0) {
      return Long.MIN_VALUE;
    }
    return negative ? -v : v;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
