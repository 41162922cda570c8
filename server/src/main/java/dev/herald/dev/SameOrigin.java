package dev.herald.dev;

import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Whether a request to a dev endpoint comes from a page of this server. Browsers send {@code
 * Origin} with every POST, so a post from another site is recognised and refused; a request without
 * it comes from a program (curl, a test), which could forge any header anyway. Pure function;
 * thread-safe.
 */
final class SameOrigin {
  private SameOrigin() {}

  static boolean check(HttpServerRequest request) {
    String site = request.getHeader("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin")) {
      return false;
    }
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return true;
    }
    String host = request.getHeader("Host");
    if (host == null && request.authority() != null) {
      host = request.authority().toString();
    }
    try {
      String authority = new URI(origin).getRawAuthority();
      return authority != null && host != null && authority.equalsIgnoreCase(host);
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
