package dev.herald.protocoltests;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client written on a plain {@link Socket}, for what no WebSocket library will send:
 * handcrafted upgrade requests (huge headers, no key, wrong version) and handcrafted frames
 * (invalid UTF-8, stray continuations, oversized or fragmented control frames, bad close codes,
 * unmasked frames, absurd lengths). It reads the server's frames one by one, so a test sees exactly
 * what the server answered and when it closed. One thread uses an instance.
 */
final class FrameSocket implements AutoCloseable {

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** One frame from the server. */
  record Frame(boolean fin, int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame, or 1005 (none given). */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  /** The server's answer to the upgrade request. */
  record Handshake(int status, Map<String, String> headers) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private Handshake handshake;
  private String socketId;

  private FrameSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** A TCP connection to the server, nothing sent yet; {@code receiveBuffer} 0 = the default. */
  static FrameSocket tcp(HeraldProcess herald, int receiveBuffer) {
    return tcp(herald, receiveBuffer, null);
  }

  /**
   * As {@link #tcp(HeraldProcess, int)}, from the loopback address {@code from} (e.g. {@code
   * 127.0.0.2}: every 127/8 address reaches a server on 127.0.0.1), or any when null.
   */
  static FrameSocket tcp(HeraldProcess herald, int receiveBuffer, String from) {
    try {
      Socket socket = new Socket();
      if (from != null) {
        socket.bind(new InetSocketAddress(from, 0));
      }
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.setSoTimeout((int) RawClient.TIMEOUT.toMillis());
      socket.connect(new InetSocketAddress(herald.host(), herald.port()), 5000);
      return new FrameSocket(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Upgrades to a WebSocket on the default app with a correct request and asserts the 101 and
   * {@code pusher:connection_established}; {@code receiveBuffer} 0 = the default.
   */
  static FrameSocket open(HeraldProcess herald, int receiveBuffer) {
    FrameSocket client = tcp(herald, receiveBuffer);
    Handshake answer =
        client.upgrade(
            "/app/" + HeraldProcess.APP_KEY + "?protocol=7&client=js&version=8.4.0",
            standardHeaders());
    if (answer.status() != 101) {
      throw new AssertionError("upgrade answered " + answer);
    }
    String first = client.readFrame().text();
    client.socketId = Json.dataOf(Json.parse(first)).path("socket_id").asText();
    if (!first.contains("pusher:connection_established")) {
      throw new AssertionError("first frame " + first);
    }
    return client;
  }

  /** The headers of a well-formed upgrade request (without Host, added by {@link #upgrade}). */
  static Map<String, String> standardHeaders() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Upgrade", "websocket");
    headers.put("Connection", "Upgrade");
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    headers.put("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(nonce));
    headers.put("Sec-WebSocket-Version", "13");
    return headers;
  }

  /** Sends {@code GET target} with these headers and reads the status line and headers. */
  Handshake upgrade(String target, Map<String, String> headers) {
    StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\n");
    request.append("Host: ").append(socket.getInetAddress().getHostAddress()).append("\r\n");
    headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
    request.append("\r\n");
    writeRaw(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    handshake = readHead();
    return handshake;
  }

  /** The status line and headers of an HTTP response; status -1 when the server just closed. */
  private Handshake readHead() {
    try {
      String statusLine = readLine();
      if (statusLine == null) {
        return new Handshake(-1, Map.of());
      }
      String[] parts = statusLine.split(" ", 3);
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      return new Handshake(status, headers);
    } catch (java.net.SocketException reset) {
      return new Handshake(-1, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body of a non-101 answer, as far as its Content-Length says. */
  String readBody() {
    String length = handshake.headers().get("content-length");
    if (length == null) {
      return "";
    }
    try {
      return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
      }
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
  }

  /** Sends one masked frame, as a client must. */
  void sendFrame(boolean fin, int opcode, byte[] payload) {
    writeRaw(frame(fin, opcode, payload, true, payload.length));
  }

  void sendText(String text) {
    sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a close frame with this status code (and no reason). */
  void sendClose(int code) {
    sendFrame(true, CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
  }

  /**
   * The bytes of one frame: {@code declaredLength} goes in the header whatever the payload's real
   * length (to claim absurd sizes); {@code masked} false makes an unmasked (illegal) client frame.
   */
  static byte[] frame(
      boolean fin, int opcode, byte[] payload, boolean masked, long declaredLength) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (declaredLength < 126) {
      frame.write(maskBit | (int) declaredLength);
    } else if (declaredLength <= 0xFFFF) {
      frame.write(maskBit | 126);
      frame.write((int) (declaredLength >> 8));
      frame.write((int) declaredLength);
    } else {
      frame.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (declaredLength >> shift));
      }
    }
    byte[] mask = new byte[4];
    if (masked) {
      RANDOM.nextBytes(mask);
      frame.write(mask, 0, 4);
    }
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    return frame.toByteArray();
  }

  void writeRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes, returning false instead of throwing when the server has closed the connection. */
  boolean tryWriteRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  /** The next frame from the server; fails on timeout, throws EOFException-wrapped on EOF. */
  Frame readFrame() {
    try {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        throw new UncheckedIOException(new EOFException("connection closed by the server"));
      }
      long length = b1 & 0x7F;
      if (length == 126) {
        length = ((in.read() & 0xFF) << 8) | (in.read() & 0xFF);
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | (in.read() & 0xFF);
        }
      }
      byte[] payload = in.readNBytes((int) length);
      if (payload.length < length) {
        throw new UncheckedIOException(new EOFException("connection closed inside a frame"));
      }
      return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no frame from the server within " + RawClient.TIMEOUT, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The socket id from {@code pusher:connection_established} (after {@link #open}). */
  String socketId() {
    return socketId;
  }

  /** The next text frame, skipping control frames. */
  String awaitText() {
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode() == TEXT) {
        return frame.text();
      }
      if (frame.opcode() == CLOSE) {
        throw new AssertionError("closed with " + frame.closeCode() + " while awaiting text");
      }
    }
  }

  /**
   * Reads until the server's close frame and returns its code; text frames before it are ignored.
   * Returns 1006 when the connection ends without a close frame. Fails when neither happens in
   * {@code within}.
   */
  int awaitClose(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Frame frame = readFrame();
        if (frame.opcode() == CLOSE) {
          return frame.closeCode();
        }
      } catch (UncheckedIOException ended) {
        return 1006;
      }
    }
    throw new AssertionError("the server did not close the connection within " + within);
  }

  /** Whether the server has ended the TCP connection (reads EOF within {@code within}). */
  boolean awaitEof(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (in.read() < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  InputStream input() {
    return in;
  }

  Socket socket() {
    return socket;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing a socket the server already closed: nothing to do.
    }
  }
}
