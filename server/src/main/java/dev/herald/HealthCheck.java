package dev.herald;

import java.net.HttpURLConnection;
import java.net.URI;

/**
 * {@code java -cp herald.jar dev.herald.HealthCheck [url]}: exits 0 when Herald answers {@code /up}
 * with 200, 1 otherwise. For container health checks in images without curl.
 */
public final class HealthCheck {
  private HealthCheck() {}

  public static void main(String[] args) {
    String port = System.getenv().getOrDefault("REVERB_SERVER_PORT", "8080");
    String url = args.length > 0 ? args[0] : "http://127.0.0.1:" + port + "/up";
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setConnectTimeout(2000);
      connection.setReadTimeout(2000);
      int status = connection.getResponseCode();
      System.exit(status == 200 ? 0 : 1);
    } catch (Exception e) {
      System.err.println("herald health check: " + e);
      System.exit(1);
    }
  }
}
