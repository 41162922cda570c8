package dev.herald.protocoltests;

/**
 * A real reverse proxy ending TLS in front of one Herald process ({@link CaddyProcess}, {@link
 * NginxProcess}): what {@link ProxiedHeralds} needs of either.
 */
interface ProxyProcess extends AutoCloseable {

  /** The loopback port on which it serves https:// and wss://. */
  int tlsPort();

  /** Its logs, each file under a {@code ==== name ====} line, for failure messages. */
  String logs();

  /** Stops the process; never throws, so a teardown closes every other process too. */
  @Override
  void close();
}
