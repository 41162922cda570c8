package dev.herald.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignaturesTest {

  @Test
  void signsAPrivateChannelAsPushersDocumentedExample() {
    // https://pusher.com/docs/channels/library_auth_reference/auth-signatures/ (private channel).
    assertEquals(
        "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
        Signatures.hmacSha256Hex("7ad3773142a6692b25b8", "1234.1234:private-foobar"));
  }

  @Test
  void signsBytesAsTheUtf8OfTheSameString() {
    String message = "POST\n/apps/1/events\nauth_key=k&body_md5=é";
    assertEquals(
        Signatures.hmacSha256Hex("secret", message),
        Signatures.hmacSha256Hex("secret", message.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void hashesABodyToLowerCaseHexMd5() {
    assertEquals("d41d8cd98f00b204e9800998ecf8427e", Signatures.md5Hex(new byte[0]));
  }

  @Test
  void comparesEqualSignaturesOnlyAndRefusesAMissingOne() {
    assertTrue(Signatures.constantTimeEquals("abc", "abc"));
    assertFalse(Signatures.constantTimeEquals("abc", "abd"));
    assertFalse(Signatures.constantTimeEquals("abc", "ab"));
    assertFalse(Signatures.constantTimeEquals("abc", null));
    assertFalse(Signatures.constantTimeEquals(null, "abc"));
  }
}
