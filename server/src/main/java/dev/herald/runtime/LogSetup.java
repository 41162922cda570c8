package dev.herald.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Configures java.util.logging once at start: one line per record on standard output, plain text or
 * JSON, written by {@link AsyncLogHandler} so no logging thread waits for the output, and the
 * {@code dev.herald} loggers at FINE with {@code --debug} (every frame in and out, payloads
 * included, which the first line of such a run says). At the default level nothing logged carries
 * an app secret, a signature, a password or a payload.
 */
public final class LogSetup {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
  private static final Logger HERALD = Logger.getLogger("dev.herald");
  private static final Logger NETTY = Logger.getLogger("io.netty");

  /** The first line of a {@code --debug} run: what it writes, and who should not see it. */
  static final String DEBUG_NOTICE =
      "--debug is on: every WebSocket frame in and out is logged, including private and presence"
          + " payloads (user_info, user_data, client event data) and channel signatures."
          + " Do not use it in production or share these logs.";

  private static volatile Handler handler;

  private LogSetup() {}

  public static void configure(boolean json, boolean debug) {
    Logger root = Logger.getLogger("");
    for (Handler existing : root.getHandlers()) {
      root.removeHandler(existing);
    }
    Handler async =
        new AsyncLogHandler(System.out, json ? new JsonFormatter() : new PlainFormatter());
    async.setLevel(Level.ALL);
    root.addHandler(async);
    handler = async;
    root.setLevel(Level.INFO);
    HERALD.setLevel(debug ? Level.FINE : Level.INFO);
    // Quiet by default: Netty reports client misbehaviour we already answer.
    NETTY.setLevel(Level.WARNING);
    if (debug) {
      HERALD.warning(DEBUG_NOTICE);
    }
  }

  /**
   * Waits until what was logged so far is written (bounded): for the end of the process, which
   * halts without running the logging system's own shutdown.
   */
  public static void flush() {
    if (handler != null) {
      handler.flush();
    }
  }

  private static String shortName(String loggerName) {
    if (loggerName == null) {
      return "";
    }
    int dot = loggerName.lastIndexOf('.');
    return dot < 0 ? loggerName : loggerName.substring(dot + 1);
  }

  private static String thrown(LogRecord record) {
    if (record.getThrown() == null) {
      return null;
    }
    StringWriter trace = new StringWriter();
    record.getThrown().printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }

  /** {@code 2026-11-22T00:00:00.000Z INFO Component: message}. */
  private static final class PlainFormatter extends Formatter {
    @Override
    public String format(LogRecord record) {
      String line =
          Instant.ofEpochMilli(record.getMillis())
              + " "
              + record.getLevel().getName()
              + " "
              + shortName(record.getLoggerName())
              + ": "
              + formatMessage(record)
              + System.lineSeparator();
      String trace = thrown(record);
      return trace == null ? line : line + trace;
    }
  }

  /** One JSON object per line: time, level, logger, message and the stack trace if any. */
  private static final class JsonFormatter extends Formatter {
    @Override
    public String format(LogRecord record) {
      ObjectNode node = MAPPER.createObjectNode();
      node.put("time", Instant.ofEpochMilli(record.getMillis()).toString());
      node.put("level", record.getLevel().getName());
      node.put("logger", record.getLoggerName());
      node.put("message", formatMessage(record));
      String trace = thrown(record);
      if (trace != null) {
        node.put("exception", trace);
      }
      return node.toString() + System.lineSeparator();
    }
  }
}
