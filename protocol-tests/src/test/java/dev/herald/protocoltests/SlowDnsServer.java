package dev.herald.protocoltests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A DNS server on a free loopback UDP port that knows one name, {@code name} → 127.0.0.1, and holds
 * every answer until {@link #release} is called: a resolver as slow as a test wants. Other names
 * get NXDOMAIN, other query types for the name an empty answer; both also wait for the release.
 * Queries are recorded as {@code name/type}. Thread-safe: one thread receives, answers are sent
 * from the thread that releases them or, after the release, from the receiving thread.
 */
final class SlowDnsServer implements AutoCloseable {
  private static final int TYPE_A = 1;

  private final String name;
  private final DatagramSocket socket;
  private final BlockingQueue<String> queries = new LinkedBlockingQueue<>();
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<DatagramPacket> held = new ArrayList<>(); // guarded by this
  private final Thread receiver;

  private SlowDnsServer(String name) throws SocketException {
    this.name = name.toLowerCase(Locale.ROOT);
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.receiver = new Thread(this::receive, "slow-dns");
    receiver.setDaemon(true);
  }

  static SlowDnsServer start(String name) {
    try {
      SlowDnsServer server = new SlowDnsServer(name);
      server.receiver.start();
      return server;
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:port}, as HERALD_DNS_SERVERS takes it. */
  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** The next query received ({@code name/type}), waiting up to {@code within}. */
  String awaitQuery(Duration within) throws InterruptedException {
    String query = queries.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    if (query == null) {
      throw new AssertionError("no DNS query within " + within);
    }
    return query;
  }

  /** Sends every held answer, and answers later queries at once. */
  void release() {
    List<DatagramPacket> answers;
    synchronized (this) {
      released.countDown();
      answers = new ArrayList<>(held);
      held.clear();
    }
    answers.forEach(this::send);
  }

  private void receive() {
    byte[] buffer = new byte[1500];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (IOException closed) {
        return;
      }
      DatagramPacket answer = answer(packet);
      if (answer == null) {
        continue;
      }
      synchronized (this) {
        if (released.getCount() > 0) {
          held.add(answer);
          continue;
        }
      }
      send(answer);
    }
  }

  private void send(DatagramPacket answer) {
    try {
      socket.send(answer);
    } catch (IOException e) {
      // Closed meanwhile: the resolver gives up by itself.
    }
  }

  /** The answer to one query, or null if it is not one this server can read. */
  private DatagramPacket answer(DatagramPacket query) {
    byte[] in = java.util.Arrays.copyOf(query.getData(), query.getLength());
    if (in.length < 12) {
      return null;
    }
    int at = 12;
    StringBuilder qname = new StringBuilder();
    while (at < in.length && in[at] != 0) {
      int length = in[at] & 0xFF;
      if (at + 1 + length > in.length) {
        return null;
      }
      qname.append(qname.length() == 0 ? "" : ".");
      qname.append(new String(in, at + 1, length, StandardCharsets.US_ASCII));
      at += 1 + length;
    }
    int questionEnd = at + 5;
    if (questionEnd > in.length) {
      return null;
    }
    int type = ((in[at + 1] & 0xFF) << 8) | (in[at + 2] & 0xFF);
    String asked = qname.toString().toLowerCase(Locale.ROOT);
    queries.add(asked + "/" + type);
    boolean known = asked.equals(name);
    boolean address = known && type == TYPE_A;

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(in[0]); // the query's id
    out.write(in[1]);
    out.write(0x81); // a response, recursion desired
    out.write(known ? 0x80 : 0x83); // recursion available; NOERROR or NXDOMAIN
    out.write(0); // one question
    out.write(1);
    out.write(0); // answers
    out.write(address ? 1 : 0);
    out.write(new byte[4], 0, 4); // no authority, no additional
    out.write(in, 12, questionEnd - 12);
    if (address) {
      out.write(0xC0); // the name: a pointer to the question's
      out.write(12);
      out.write(new byte[] {0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1}, 0, 14);
    }
    byte[] bytes = out.toByteArray();
    return new DatagramPacket(bytes, bytes.length, query.getSocketAddress());
  }

  @Override
  public void close() {
    socket.close();
  }
}
