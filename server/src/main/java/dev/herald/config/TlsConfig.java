package dev.herald.config;

/**
 * TLS for the listening port. Immutable.
 *
 * @param certPath PEM certificate (chain) file, or null
 * @param keyPath PEM private key file, or null
 * @param selfSigned generate a development certificate at start instead of reading files
 * @param selfSignedCertOut where to write the generated certificate's PEM, or null
 */
public record TlsConfig(
    String certPath, String keyPath, boolean selfSigned, String selfSignedCertOut) {

  public boolean enabled() {
    return selfSigned || certPath != null;
  }

  static TlsConfig from(Section section) {
    String cert = blankToNull(section.string("tls_cert"));
    String key = blankToNull(section.string("tls_key"));
    if ((cert == null) != (key == null)) {
      throw new ConfigException(
          section.source(cert == null ? "tls_cert" : "tls_key"),
          "TLS needs both a certificate ("
              + Settings.named("tls_cert").names()
              + ") and a key ("
              + Settings.named("tls_key").names()
              + ")");
    }
    if (cert != null) {
      requireReadable(cert, section.source("tls_cert"));
      requireReadable(key, section.source("tls_key"));
    }
    return new TlsConfig(
        cert,
        key,
        section.bool("tls_self_signed"),
        blankToNull(section.string("tls_self_signed_cert_out")));
  }

  private static void requireReadable(String path, String source) {
    if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(path))) {
      throw new ConfigException(source, "cannot read " + path);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
