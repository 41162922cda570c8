package dev.herald.bench;

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
  public void onBench(Conn c, String raw, long now) {
    count.increment();
    long sent = field(raw, "_bt");
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

  /**
   * The whole number after {@code key} in a frame, skipping the few quote, backslash and colon
   * characters between them whatever the JSON escaping; Long.MIN_VALUE when absent.
   */
  static long field(String s, String key) {
    int i = s.indexOf(key);
    if (i < 0) {
      return Long.MIN_VALUE;
    }
    i += key.length();
    int limit = Math.min(s.length(), i + 6);
    while (i < limit && s.charAt(i) != '-' && !Character.isDigit(s.charAt(i))) {
      i++;
    }
    boolean negative = i < s.length() && s.charAt(i) == '-';
    if (negative) {
      i++;
    }
    long v = 0;
    int digits = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      v = v * 10 + (s.charAt(i++) - '0');
      digits++;
    }
    if (digits == 0) {
      return Long.MIN_VALUE;
    }
    return negative ? -v : v;
  }
}
