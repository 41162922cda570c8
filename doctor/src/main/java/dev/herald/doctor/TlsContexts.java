package dev.herald.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The two ways the doctor trusts certificates: {@link #strict()} as a browser or PHP would (the
 * JDK's CA certificates, plus a {@code --cacert} PEM such as Herald's development certificate, with
 * hostname verification done by the caller), and {@link #inspecting()} which accepts anything so
 * the doctor can look at a certificate it could not trust and say why.
 */
final class TlsContexts {
  private final SSLContext strict;
  private final SSLContext inspecting;

  private TlsContexts(SSLContext strict, SSLContext inspecting) {
    this.strict = strict;
    this.inspecting = inspecting;
  }

  /**
   * @param extraCa a PEM file of certificates to trust besides the JDK's, or null
   */
  static TlsContexts create(Path extraCa) throws IOException, GeneralSecurityException {
    TrustManagerFactory defaults =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    defaults.init((KeyStore) null);
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int n = 0;
    for (TrustManager manager : defaults.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        for (X509Certificate ca : x509.getAcceptedIssuers()) {
          store.setCertificateEntry("jdk-" + n++, ca);
        }
      }
    }
    if (extraCa != null) {
      try (InputStream in = Files.newInputStream(extraCa)) {
        for (Certificate certificate :
            CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("extra-" + n++, certificate);
        }
      }
    }
    TrustManagerFactory combined =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    combined.init(store);
    SSLContext strict = SSLContext.getInstance("TLS");
    strict.init(null, combined.getTrustManagers(), new SecureRandom());
    SSLContext inspecting = SSLContext.getInstance("TLS");
    inspecting.init(null, new TrustManager[] {new AcceptAll()}, new SecureRandom());
    return new TlsContexts(strict, inspecting);
  }

  SSLContext strict() {
    return strict;
  }

  SSLContext inspecting() {
    return inspecting;
  }

  /**
   * Trusts every chain and skips hostname checks (an extended trust manager is itself responsible
   * for the endpoint identity, so the JDK adds no check of its own).
   */
  private static final class AcceptAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
