package dev.herald.doctor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written and read by hand over a socket, so the doctor sees exactly what came back: the
 * status a proxy put in place of {@code 101}, a redirect's {@code Location}, a {@code Date} header,
 * or bytes that are not HTTP at all (a TLS port answering a plain request).
 */
final class HttpWire {
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_BODY = 256 * 1024;

  private HttpWire() {}

  /** The answer did not start with {@code HTTP/}: {@code firstBytes} says what did. */
  static final class NotHttpException extends IOException {
    private static final long serialVersionUID = 1L;
    final byte[] firstBytes;

    NotHttpException(byte[] firstBytes) {
      super("the answer is not HTTP (" + describe(firstBytes) + ")");
      this.firstBytes = firstBytes;
    }

    /** A TLS record starts with content type 0x14..0x17 and major version 3. */
    boolean looksLikeTls() {
      return firstBytes.length >= 2
          && firstBytes[0] >= 0x14
          && firstBytes[0] <= 0x17
          && firstBytes[1] == 3;
    }
  }

  static void writeRequest(
      OutputStream out,
      String method,
      Target target,
      String pathAndQuery,
      Map<String, String> headers,
      byte[] body)
      throws IOException {
    StringBuilder head = new StringBuilder();
    head.append(method)
        .append(' ')
        .append(target.path())
        .append(pathAndQuery)
        .append(" HTTP/1.1\r\n");
    head.append("Host: ").append(hostHeader(target)).append("\r\n");
    head.append("User-Agent: herald-doctor\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (body.length > 0 || !method.equals("GET")) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** One request on a fresh connection ({@code Connection: close}), the whole answer read. */
  static HttpAnswer exchange(
      Connector connector,
      Target target,
      String method,
      String pathAndQuery,
      Map<String, String> headers,
      byte[] body)
      throws IOException {
    try (Socket socket = connector.open(target)) {
      Map<String, String> all = new LinkedHashMap<>(headers);
      all.put("Connection", "close");
      writeRequest(socket.getOutputStream(), method, target, pathAndQuery, all, body);
      InputStream in = socket.getInputStream();
      HttpAnswer head = readHead(in);
      return withBody(head, readBody(in, head, method.equals("HEAD")));
    }
  }

  static HttpAnswer withBody(HttpAnswer head, String body) {
    return new HttpAnswer(head.status(), head.reason(), head.headers(), body);
  }

  /** The default port is left out of {@code Host}, as browsers and SDKs do. */
  private static String hostHeader(Target target) {
    boolean defaultPort = target.tls() ? target.port() == 443 : target.port() == 80;
    String host = target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host();
    return defaultPort ? host : host + ":" + target.port();
  }

  /** Reads the status line and headers; the body is left in the stream. */
  static HttpAnswer readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0d0a0d0a) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          throw new IOException("the server closed the connection without answering");
        }
        break;
      }
      head.write(b);
      if (head.size() == 5 && !head.toString(StandardCharsets.ISO_8859_1).equals("HTTP/")) {
        throw new NotHttpException(head.toByteArray());
      }
      if (head.size() > MAX_HEAD) {
        throw new IOException("the answer's headers exceed " + MAX_HEAD + " bytes");
      }
      last4 = (last4 << 8) | b;
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    if (lines.length == 0 || !lines[0].startsWith("HTTP/")) {
      throw new NotHttpException(head.toByteArray());
    }
    String[] status = lines[0].split(" ", 3);
    int code;
    try {
      code = Integer.parseInt(status.length > 1 ? status[1] : "");
    } catch (NumberFormatException e) {
      throw new IOException("malformed status line: " + lines[0]);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.merge(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim(),
            (a, b) -> a + ", " + b);
      }
    }
    return new HttpAnswer(code, status.length > 2 ? status[2] : "", headers, "");
  }

  /** The body by Content-Length, chunked encoding, or up to the end of the connection. */
  static String readBody(InputStream in, HttpAnswer head, boolean headRequest) throws IOException {
    if (headRequest || head.status() == 204 || head.status() == 304 || head.status() / 100 == 1) {
      return "";
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = head.header("content-length");
    String encoding = head.header("transfer-encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      while (true) {
        String size = readLine(in).split(";", 2)[0].trim();
        int n = Integer.parseInt(size, 16);
        if (n == 0) {
          break;
        }
        copy(in, body, n);
        readLine(in);
      }
    } else if (length != null) {
      copy(in, body, Integer.parseInt(length.trim()));
    } else {
      copy(in, body, MAX_BODY);
    }
    return body.toString(StandardCharsets.UTF_8);
  }

  private static void copy(InputStream in, ByteArrayOutputStream out, int n) throws IOException {
    byte[] buffer = new byte[8192];
    int left = Math.min(n, MAX_BODY - out.size());
    while (left > 0) {
      int read = in.read(buffer, 0, Math.min(buffer.length, left));
      if (read < 0) {
        return;
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  static String describe(byte[] bytes) {
    StringBuilder out = new StringBuilder("starts with");
    for (int i = 0; i < Math.min(bytes.length, 5); i++) {
      out.append(String.format(" %02x", bytes[i] & 0xff));
    }
    return out.toString();
  }
}
