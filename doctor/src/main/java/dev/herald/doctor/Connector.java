package dev.herald.doctor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Opens blocking sockets to a {@link Target}: TCP, then for https a TLS handshake that checks the
 * certificate and the host name as a browser would (unless the target says not to). Every read
 * times out after the doctor's timeout. Thread-safe.
 */
final class Connector {
  private final TlsContexts tls;
  private final Duration timeout;

  Connector(TlsContexts tls, Duration timeout) {
    this.tls = tls;
    this.timeout = timeout;
  }

  Duration timeout() {
    return timeout;
  }

  TlsContexts tls() {
    return tls;
  }

  Socket open(Target target) throws IOException {
    Socket plain = openTcp(target.host(), target.port());
    if (!target.tls()) {
      return plain;
    }
    try {
      return handshake(plain, target, target.verifyCertificate());
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  Socket openTcp(String host, int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), millis());
      socket.setSoTimeout(millis());
      socket.setTcpNoDelay(true);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** A TLS handshake over an open TCP socket; closes nothing on failure. */
  SSLSocket handshake(Socket plain, Target target, boolean verify) throws IOException {
    SSLSocket socket =
        (SSLSocket)
            (verify ? tls.strict() : tls.inspecting())
                .getSocketFactory()
                .createSocket(plain, target.host(), target.port(), true);
    if (verify) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
    }
    socket.setSoTimeout(millis());
    socket.startHandshake();
    return socket;
  }

  /** A network failure in words: a read timeout says what the silence means. */
  String explain(IOException e) {
    if (e instanceof java.net.SocketTimeoutException) {
      return "no answer within "
          + timeout.toMillis() / 1000.0
          + " s: something accepts connections on this port but does not answer (a hung process,"
          + " or a service that is not HTTP); try a longer --timeout for a slow link";
    }
    if (e instanceof HttpWire.NotHttpException notHttp && notHttp.looksLikeTls()) {
      return "the port answered a plain request with TLS: it expects https";
    }
    if (e instanceof javax.net.ssl.SSLException) {
      return "TLS failed: " + e.getMessage();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private int millis() {
    return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
  }
}
