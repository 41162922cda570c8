package dev.herald.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One HmacSHA256 {@link Mac} per thread, initialised with the secret it signed with last.
 *
 * <p>{@code Mac.getInstance} walks the security providers and allocates a new engine each time;
 * that, not the hashing, was most of the cost of a signature check. A thread keeps one instance and
 * re-initialises it only when the secret changes, so a node serving one app never re-keys and a
 * node serving many apps holds one Mac per thread however many apps there are.
 *
 * <p>Confined to its thread: {@link #current()} hands each thread (each event loop, each worker)
 * its own instance, which must not be passed to another thread. Nothing it calls can re-enter it,
 * so one signature always completes before the next one starts on the same thread.
 */
final class ThreadHmac {
  private static final String ALGORITHM = "HmacSHA256";
  private static final ThreadLocal<ThreadHmac> PER_THREAD =
      ThreadLocal.withInitial(ThreadHmac::new);

  private final Mac mac;
  private String keyedWith;

  private ThreadHmac() {
    try {
      mac = Mac.getInstance(ALGORITHM);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** This thread's instance, created on its first signature. */
  static ThreadHmac current() {
    return PER_THREAD.get();
  }

  /** HMAC-SHA256 of {@code message} under the UTF-8 bytes of {@code secret}. */
  byte[] sign(String secret, byte[] message) {
    if (!secret.equals(keyedWith)) {
      try {
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      } catch (InvalidKeyException e) {
        throw new IllegalStateException("an HmacSHA256 key of any length is valid", e);
      }
      keyedWith = secret;
    }
    // doFinal leaves the Mac initialised with the same key, ready for the next message.
    return mac.doFinal(message);
  }
}
