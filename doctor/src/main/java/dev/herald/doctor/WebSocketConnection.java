package dev.herald.doctor;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal blocking WebSocket client (RFC 6455), written out so the doctor can report what a stock
 * client hides: the exact answer that came instead of {@code 101}, a {@code 101} without a valid
 * {@code Sec-WebSocket-Accept}, the close code and reason. Text frames only; not thread-safe.
 */
final class WebSocketConnection implements AutoCloseable {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_FRAME = 1 << 20;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private WebSocketConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * The server's answer to the upgrade request; {@code connection} is set only for a valid {@code
   * 101}, and is the caller's to close.
   */
  record Upgrade(HttpAnswer answer, WebSocketConnection connection, String problem) {}

  /** One frame: opcode and payload; for a close frame, its code and reason. */
  record Frame(int opcode, byte[] payload) {
    static final int TEXT = 1;
    static final int CLOSE = 8;
    static final int PING = 9;

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }
  }

  /**
   * Sends the upgrade request for {@code pathAndQuery} under the target's prefix, with an {@code
   * Origin} header when {@code origin} is not null.
   */
  static Upgrade open(Connector connector, Target target, String pathAndQuery, String origin)
      throws IOException {
    Socket socket = connector.open(target);
    boolean keep = false;
    try {
      byte[] nonce = new byte[16];
      RANDOM.nextBytes(nonce);
      String key = Base64.getEncoder().encodeToString(nonce);
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Connection", "Upgrade");
      headers.put("Upgrade", "websocket");
      headers.put("Sec-WebSocket-Version", "13");
      headers.put("Sec-WebSocket-Key", key);
      if (origin != null) {
        headers.put("Origin", origin);
      }
      HttpWire.writeRequest(
          socket.getOutputStream(), "GET", target, pathAndQuery, headers, new byte[0]);
      HttpAnswer head = HttpWire.readHead(socket.getInputStream());
      if (head.status() != 101) {
        String body;
        try {
          body = HttpWire.readBody(socket.getInputStream(), head, false);
        } catch (SocketTimeoutException | NumberFormatException e) {
          body = "";
        }
        return new Upgrade(HttpWire.withBody(head, body), null, null);
      }
      String upgrade = head.header("upgrade");
      if (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
        return new Upgrade(head, null, "the 101 answer has no \"Upgrade: websocket\" header");
      }
      if (!accept(key).equals(head.header("sec-websocket-accept"))) {
        return new Upgrade(
            head, null, "the 101 answer's Sec-WebSocket-Accept does not match the request's key");
      }
      keep = true;
      return new Upgrade(head, new WebSocketConnection(socket), null);
    } finally {
      if (!keep) {
        socket.close();
      }
    }
  }

  static String accept(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1")
              .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  void sendText(String text) throws IOException {
    send(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Client frames are masked, as RFC 6455 requires. */
  private void send(int opcode, byte[] payload) throws IOException {
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    int length = payload.length;
    byte[] header;
    if (length < 126) {
      header = new byte[] {(byte) (0x80 | opcode), (byte) (0x80 | length)};
    } else if (length < 65536) {
      header =
          new byte[] {
            (byte) (0x80 | opcode), (byte) (0x80 | 126), (byte) (length >> 8), (byte) length
          };
    } else {
      throw new IOException("frame too large for the doctor: " + length);
    }
    byte[] masked = new byte[length];
    for (int i = 0; i < length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    out.write(header);
    out.write(mask);
    out.write(masked);
    out.flush();
  }

  /**
   * The next data or close frame, answering pings on the way; waits at most until {@code
   * deadlineNanos} ({@link System#nanoTime()}) and returns null then.
   */
  Frame read(long deadlineNanos) throws IOException {
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      int first;
      try {
        first = in.read();
      } catch (SocketTimeoutException e) {
        return null;
      }
      if (first < 0) {
        throw new EOFException("the server closed the TCP connection without a close frame");
      }
      socket.setSoTimeout((int) Math.max(1000, left / 1_000_000));
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      if (length > MAX_FRAME) {
        throw new IOException("frame of " + length + " bytes: more than the doctor reads");
      }
      byte[] mask = null;
      if ((second & 0x80) != 0) {
        mask = new byte[4];
        in.readFully(mask);
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      if (mask != null) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
      }
      int opcode = first & 0x0f;
      if (opcode == Frame.PING) {
        send(0xA, payload);
      } else if (opcode == Frame.TEXT || opcode == Frame.CLOSE) {
        return new Frame(opcode, payload);
      }
    }
  }

  @Override
  public void close() {
    try {
      send(Frame.CLOSE, new byte[] {0x03, (byte) 0xe8});
    } catch (IOException ignored) {
      // Closing anyway.
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing left to do with a socket that cannot close.
    }
  }
}
