package dev.herald.protocoltests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test-side signers reproduce the shared test vectors, so a failing protocol test points at the
 * server, not at the tests' own signing. Needs no server.
 */
class SignaturesTest {

  private static final String KEY = "278d425bdf160c739803";
  private static final String SECRET = "7ad3773142a6692b25b8";

  @Test
  void privateAuthMatchesVectorV01() {
    assertEquals(
        KEY + ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
        Signatures.auth(KEY, SECRET, "1234.1234:private-foobar"));
  }

  @Test
  void presenceAuthOverNonAsciiChannelDataMatchesVectorV04() {
    assertEquals(
        KEY + ":8d15f9aac06981a50357ee6b46ece979e0e53a12ac9fb98ca7632960985fe1f4",
        Signatures.auth(
            KEY,
            SECRET,
            "98765.4321:presence-room-1:{\"user_id\":\"u-42\",\"user_info\":{\"name\":\"Zoë\",\"roles\":[\"admin\"]}}"));
  }

  @Test
  void httpSignatureMatchesVectorV17() {
    String body =
        "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
    String md5 = Signatures.md5Hex(body.getBytes(StandardCharsets.UTF_8));
    assertEquals("ec365a775a4cd0599faeb73354201b6f", md5);
    String stringToSign =
        ApiClient.stringToSign(
            "POST",
            "/apps/3/events",
            Map.of(
                "auth_key",
                KEY,
                "auth_timestamp",
                "1353088179",
                "auth_version",
                "1.0",
                "body_md5",
                md5));
    assertEquals(
        "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179"
            + "&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f",
        stringToSign);
    assertEquals(
        "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c",
        Signatures.hmacSha256Hex(SECRET, stringToSign));
  }
}
