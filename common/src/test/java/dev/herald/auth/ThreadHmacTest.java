package dev.herald.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ThreadHmacTest {

  @Test
  void oneThreadSignsEveryMessageWithTheSameInstance() {
    assertSame(ThreadHmac.current(), ThreadHmac.current());
  }

  @Test
  void anotherThreadSignsWithItsOwnInstance() throws Exception {
    ThreadHmac mine = ThreadHmac.current();
    ThreadHmac theirs =
        CompletableFuture.supplyAsync(ThreadHmac::current, r -> new Thread(r).start())
            .get(10, TimeUnit.SECONDS);
    assertNotSame(mine, theirs);
  }

  @Test
  void alternatingSecretsSignEachMessageUnderItsOwnSecret() throws Exception {
    ThreadHmac hmac = ThreadHmac.current();
    for (String secret : new String[] {"first", "second", "second", "first", "é-third"}) {
      byte[] message = ("socket:" + secret).getBytes(StandardCharsets.UTF_8);
      assertArrayEquals(freshMac(secret, message), hmac.sign(secret, message), secret);
    }
  }

  private static byte[] freshMac(String secret, byte[] message) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return mac.doFinal(message);
  }
}
