package dev.herald.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.TestVectors;
import dev.herald.protocol.ServerFrames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

/**
 * Webhook signatures (V19, V20) and the encrypted-channel vectors (V05, V06). The server never
 * decrypts: these pin what the SDKs do and that an encrypted payload crosses Herald byte for byte.
 */
class PayloadVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void webhookSignaturesMatchV19AndV20() {
    for (JsonNode vector : TestVectors.ofKind("webhook_signature")) {
      String body = vector.get("input").get("raw_body").asText();
      assertEquals(
          vector.get("headers").get("X-Pusher-Signature").asText(),
          Signatures.hmacSha256Hex(TestVectors.app().secret(), body),
          vector.get("id").asText());
    }
  }

  @Test
  void sharedSecretDerivationMatchesV05() throws Exception {
    JsonNode vector = TestVectors.byId("V05");
    byte[] masterKey =
        Base64.getDecoder()
            .decode(vector.get("input").get("encryption_master_key_base64").asText());
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    sha256.update(
        vector.get("input").get("channel_name").asText().getBytes(StandardCharsets.UTF_8));
    byte[] secret = sha256.digest(masterKey);
    assertEquals(vector.get("shared_secret_hex").asText(), HEX.formatHex(secret));
    assertEquals(
        vector.get("output").get("shared_secret").asText(),
        Base64.getEncoder().encodeToString(secret));
  }

  @Test
  void encryptedEventCrossesTheServerFrameUnchangedAndStillDecryptsV06() throws Exception {
    JsonNode vector = TestVectors.byId("V06");
    String data = vector.get("output").get("data_field").asText();
    String channel = vector.get("input").get("channel_name").asText();

    JsonNode frame =
        new ObjectMapper().readTree(ServerFrames.channelEvent("my-event", channel, data));
    String relayed = frame.get("data").asText();
    assertEquals(data, relayed);

    JsonNode payload = new ObjectMapper().readTree(relayed);
    byte[] nonce = Base64.getDecoder().decode(payload.get("nonce").asText());
    byte[] box = Base64.getDecoder().decode(payload.get("ciphertext").asText());
    byte[] key = HEX.parseHex(vector.get("input").get("key_hex").asText());
    assertEquals(vector.get("output").get("ciphertext_len").asInt(), box.length);
    assertEquals(
        vector.get("output").get("decrypts_to").asText(),
        new String(secretboxOpen(box, nonce, key), StandardCharsets.UTF_8));
  }

  /**
   * NaCl crypto_secretbox_open: XSalsa20 stream, first 32 bytes key Poly1305 over the ciphertext.
   */
  private static byte[] secretboxOpen(byte[] box, byte[] nonce, byte[] key) {
    XSalsa20Engine cipher = new XSalsa20Engine();
    cipher.init(false, new ParametersWithIV(new KeyParameter(key), nonce));
    byte[] macKey = new byte[32];
    cipher.processBytes(new byte[32], 0, 32, macKey, 0);
    byte[] mac = Arrays.copyOfRange(box, 0, 16);
    byte[] ciphertext = Arrays.copyOfRange(box, 16, box.length);
    Poly1305 poly = new Poly1305();
    poly.init(new KeyParameter(macKey));
    poly.update(ciphertext, 0, ciphertext.length);
    byte[] computed = new byte[16];
    poly.doFinal(computed, 0);
    assertArrayEquals(mac, computed, "Poly1305 tag");
    byte[] plaintext = new byte[ciphertext.length];
    cipher.processBytes(ciphertext, 0, ciphertext.length, plaintext, 0);
    return plaintext;
  }
}
