package dev.herald.protocoltests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback ports for the processes a test starts. Stateless. */
public final class Ports {
  private Ports() {}

  /**
   * A port nothing listens on right now, for a process that takes its port on the command line or
   * in its environment (Herald, redis-server, a proxy) and cannot report one it chose itself.
   */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether something accepts a TCP connection on 127.0.0.1:{@code port} within 500 ms. */
  public static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException notListening) {
      return false;
    }
  }
}
