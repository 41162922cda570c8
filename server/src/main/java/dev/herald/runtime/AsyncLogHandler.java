package dev.herald.runtime;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Writes log lines from a thread of its own, so a thread that logs (an event loop, with {@code
 * --debug} once per frame) only formats the line and puts it in a bounded queue: it never waits for
 * standard output, which may be a pipe nobody is reading fast enough (a container runtime, a
 * terminal scrolled back). When the queue is full new lines are dropped and counted, and the count
 * is written once the writer catches up. The writer drains everything queued in one write, so a
 * burst costs one flush, not one per line.
 *
 * <p>Thread-safe: {@link #publish} is called from any thread; one writer thread owns the stream.
 */
final class AsyncLogHandler extends Handler {
  static final int QUEUE_LINES = 8192;

  private final PrintStream out;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();

  AsyncLogHandler(PrintStream out, Formatter formatter) {
    this.out = out;
    setFormatter(formatter);
    Thread writer = new Thread(this::writeForever, "herald-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void publish(LogRecord record) {
    if (!isLoggable(record)) {
      return;
    }
    String line;
    try {
      line = getFormatter().format(record);
    } catch (RuntimeException e) {
      reportError("Formatting a log record failed", e, ErrorManager.FORMAT_FAILURE);
      return;
    }
    if (queue.offer(line)) {
      accepted.incrementAndGet();
    } else {
      dropped.incrementAndGet();
    }
  }

  private void writeForever() {
    List<String> batch = new ArrayList<>();
    while (true) {
      try {
        String first = queue.poll(1, TimeUnit.SECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch);
        }
        long lost = dropped.getAndSet(0);
        if (batch.isEmpty() && lost == 0) {
          continue;
        }
        StringBuilder text = new StringBuilder();
        batch.forEach(text::append);
        if (lost > 0) {
          text.append(
              getFormatter()
                  .format(
                      new LogRecord(
                          Level.WARNING,
                          lost + " log line(s) dropped: the log output is not read fast enough")));
        }
        // One write and one flush for everything gathered.
        out.print(text);
        out.flush();
        written.addAndGet(batch.size());
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        reportError("Writing log lines failed", e, ErrorManager.WRITE_FAILURE);
        batch.clear();
      }
    }
  }

  /** Waits (at most two seconds) until every line accepted so far is written. */
  @Override
  public void flush() {
    long target = accepted.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (written.get() < target && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Only flushes: the logging system's shutdown hook closes handlers while the drain is still
   * printing, and the writer must stay able to write what comes after.
   */
  @Override
  public void close() {
    flush();
  }
}
