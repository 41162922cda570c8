package dev.herald.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The development certificate of {@code --tls-self-signed}, built with the JDK alone: an ECDSA
 * P-256 key, and an X.509 v3 certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}
 * written out in DER by hand. The JDK can sign but has no public API to build a certificate, and
 * the library that can (BouncyCastle) was 8 MB, 39 % of the jar, for this one development option.
 * Stateless.
 */
final class DevelopmentCertificate {
  private DevelopmentCertificate() {}

  /** The certificate (DER) and its key pair. */
  record Generated(byte[] certificate, KeyPair keys) {}

  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String ORGANIZATION = "2.5.4.10";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  /** Valid from five minutes ago (clock skew) for 90 days. */
  static Generated generate() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair keys = generator.generateKeyPair();
    byte[] algorithm = sequence(oid(ECDSA_WITH_SHA256));
    byte[] name =
        sequence(
            set(sequence(oid(COMMON_NAME), utf8("localhost"))),
            set(sequence(oid(ORGANIZATION), utf8("Herald development certificate"))));
    Instant now = Instant.now();
    byte[] extensions =
        sequence(
            extension(BASIC_CONSTRAINTS, true, sequence()), // cA FALSE, the default
            extension(EXTENDED_KEY_USAGE, false, sequence(oid(SERVER_AUTH))),
            extension(
                SUBJECT_ALT_NAME,
                false,
                sequence(
                    tagged(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)), // dNSName
                    tagged(0x87, new byte[] {127, 0, 0, 1}), // iPAddress
                    tagged(0x87, ipv6Loopback()))));
    byte[] tbs =
        sequence(
            tagged(0xA0, integer(BigInteger.TWO)), // [0] version: v3
            integer(new BigInteger(63, random).add(BigInteger.ONE)), // positive serial
            algorithm,
            name,
            sequence(
                utcTime(now.minus(Duration.ofMinutes(5))), utcTime(now.plus(Duration.ofDays(90)))),
            name,
            keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, already DER
            tagged(0xA3, extensions));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(keys.getPrivate(), random);
    signer.update(tbs);
    byte[] certificate = sequence(tbs, algorithm, bitString(signer.sign()));
    return new Generated(certificate, keys);
  }

  private static byte[] ipv6Loopback() {
    byte[] address = new byte[16];
    address[15] = 1;
    return address;
  }

  private static byte[] extension(String id, boolean critical, byte[] value) {
    return critical
        ? sequence(oid(id), tagged(0x01, new byte[] {(byte) 0xFF}), tagged(0x04, value))
        : sequence(oid(id), tagged(0x04, value));
  }

  private static byte[] sequence(byte[]... parts) {
    return tagged(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tagged(0x31, concat(parts));
  }

  private static byte[] integer(BigInteger value) {
    return tagged(0x02, value.toByteArray()); // two's complement, minimal: what DER wants
  }

  private static byte[] utf8(String text) {
    return tagged(0x0C, text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bitString(byte[] bytes) {
    return tagged(0x03, concat(new byte[] {0}, bytes)); // no unused bits
  }

  /** UTCTime (YYMMDDhhmmssZ), which RFC 5280 requires for dates before 2050. */
  private static byte[] utcTime(Instant instant) {
    String text =
        DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(instant);
    return tagged(0x17, text.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      long arc = Long.parseLong(arcs[i]);
      // Base 128, most significant group first, the high bit set on all but the last.
      int groups = 1;
      for (long rest = arc >>> 7; rest != 0; rest >>>= 7) {
        groups++;
      }
      for (int g = groups - 1; g >= 0; g--) {
        int bits = (int) ((arc >>> (7 * g)) & 0x7F);
        out.write(g == 0 ? bits : bits | 0x80);
      }
    }
    return tagged(0x06, out.toByteArray());
  }

  private static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
