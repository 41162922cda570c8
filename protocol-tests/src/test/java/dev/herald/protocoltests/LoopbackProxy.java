package dev.herald.protocoltests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A misconfigured reverse proxy on a loopback port, for the doctor's tests: {@link
 * #strippingUpgradeHeaders} forwards every request to the server but drops its {@code Upgrade} and
 * {@code Connection} headers (what nginx does without {@code proxy_set_header Upgrade ...}), and
 * {@link #answering200} answers every request itself with a page, like a web server that was never
 * told about the WebSocket path. One thread per connection; fine for a test's few connections.
 */
final class LoopbackProxy implements AutoCloseable {
  private final ServerSocket server;
  private final Thread acceptor;

  private interface Handler {
    void handle(Socket client) throws IOException;
  }

  private LoopbackProxy(Handler handler) {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket client = server.accept();
                  Thread worker =
                      new Thread(
                          () -> {
                            try (client) {
                              handler.handle(client);
                            } catch (IOException ignored) {
                              // The peer went away; nothing to clean up beyond the socket.
                            }
                          },
                          "proxy-connection");
                  worker.setDaemon(true);
                  worker.start();
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static LoopbackProxy strippingUpgradeHeaders(int upstreamPort) {
    return new LoopbackProxy(
        client -> {
          String head = readHead(client.getInputStream());
          String rewritten =
              head.lines()
                      .filter(line -> !hasName(line, "upgrade") && !hasName(line, "connection"))
                      .collect(Collectors.joining("\r\n"))
                  + "\r\nConnection: close";
          forward(client, rewritten, upstreamPort);
        });
  }

  /**
   * Passes requests whose path starts with {@code routedPrefix} to the server unchanged (upgrades
   * included) and answers every other path with its own HTML 404 page, like an nginx that has a
   * location for the HTTP API but none for the WebSocket path.
   */
  static LoopbackProxy routingOnly(String routedPrefix, int upstreamPort) {
    return new LoopbackProxy(
        client -> {
          String head = readHead(client.getInputStream());
          if (head.isEmpty()) {
            return; // a bare TCP check (the doctor's reachability step) sends no request
          }
          String path = head.split(" ", 3)[1];
          if (path.startsWith(routedPrefix)) {
            forward(client, head, upstreamPort);
            return;
          }
          String page = "<html><head><title>404 Not Found</title></head><body>nginx</body></html>";
          String answer =
              "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: "
                  + page.length()
                  + "\r\nConnection: close\r\n\r\n"
                  + page;
          client.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
          client.getOutputStream().flush();
        });
  }

  /** Sends {@code head} (without its final blank line) upstream, then relays both ways. */
  private static void forward(Socket client, String head, int upstreamPort) throws IOException {
    try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      upstream.getOutputStream().write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      Thread up = pipe(client.getInputStream(), upstream.getOutputStream());
      upstream.getInputStream().transferTo(client.getOutputStream());
      up.interrupt();
    }
  }

  /** Answers every request itself: {@code status} (e.g. {@code "301 Moved Permanently"}). */
  static LoopbackProxy answering(String status, String header, String body) {
    return new LoopbackProxy(
        client -> {
          readHead(client.getInputStream());
          String answer =
              "HTTP/1.1 "
                  + status
                  + "\r\n"
                  + header
                  + "\r\nContent-Length: "
                  + body.length()
                  + "\r\nConnection: close\r\n\r\n"
                  + body;
          client.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
          client.getOutputStream().flush();
        });
  }

  int port() {
    return server.getLocalPort();
  }

  private static boolean hasName(String headerLine, String name) {
    return headerLine.toLowerCase(Locale.ROOT).startsWith(name + ":");
  }

  /** The request line and headers, without the blank line that ends them. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    int b;
    while (last4 != 0x0d0a0d0a && (b = in.read()) >= 0) {
      head.write(b);
      last4 = (last4 << 8) | b;
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r\n\r\n") ? text.substring(0, text.length() - 4) : text;
  }

  private static Thread pipe(InputStream from, OutputStream to) {
    Thread thread =
        new Thread(
            () -> {
              try {
                from.transferTo(to);
              } catch (IOException ignored) {
                // One side closed.
              }
            },
            "proxy-pipe");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }
}
