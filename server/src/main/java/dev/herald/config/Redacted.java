package dev.herald.config;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * URLs made fit for a log line or an error message. A database or Redis URL loses its password (in
 * the user part or as a query parameter) and every query value; a webhook URL keeps only its
 * origin, since a token may sit anywhere in its path or query. Stateless.
 */
public final class Redacted {
  private static final Pattern HOST =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]*)(:[0-9]{1,5})?");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,40}");

  private Redacted() {}

  /**
   * {@code postgresql://user:***@host:5432/db?sslmode=***}: the user is kept when it looks like a
   * plain name, the password and every query value are replaced, a fragment is dropped. Works on
   * text that is not a valid URI too (an unencoded {@code / # $ + =} in a password), since that is
   * exactly what a message about a bad URL shows.
   */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    int schemeEnd = url.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd + 3);
    String rest = schemeEnd < 0 ? url : url.substring(schemeEnd + 3);
    int query = rest.indexOf('?');
    int at = rest.lastIndexOf('@', query < 0 ? rest.length() - 1 : query);
    StringBuilder out = new StringBuilder(scheme);
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      out.append(NAME.matcher(user).matches() ? user : "***");
      if (colon >= 0) {
        out.append(":***");
      }
      out.append('@');
      rest = rest.substring(at + 1);
      query = rest.indexOf('?');
    }
    String hostAndPath = query < 0 ? rest : rest.substring(0, query);
    int fragment = hostAndPath.indexOf('#');
    hostAndPath = fragment < 0 ? hostAndPath : hostAndPath.substring(0, fragment);
    int slash = hostAndPath.indexOf('/');
    String host = slash < 0 ? hostAndPath : hostAndPath.substring(0, slash);
    // Anything else there is a password whose unencoded characters hid its '@'.
    out.append(HOST.matcher(host).matches() ? hostAndPath : "***");
    if (query >= 0) {
      out.append('?');
      String[] parameters = rest.substring(query + 1).split("&", -1);
      for (int i = 0; i < parameters.length; i++) {
        int equals = parameters[i].indexOf('=');
        String name = equals < 0 ? parameters[i] : parameters[i].substring(0, equals);
        out.append(i == 0 ? "" : "&").append(NAME.matcher(name).matches() ? name : "***");
        if (equals >= 0) {
          out.append("=***");
        }
      }
    }
    return out.toString();
  }

  /**
   * {@code https://hooks.example.com:443}: a webhook URL's scheme, host and port only, since its
   * path or query often carries a token.
   */
  public static String origin(String url) {
    try {
      URI uri = URI.create(url);
      if (uri.getScheme() == null || uri.getHost() == null) {
        return "(a URL that is not absolute)";
      }
      return uri.getScheme()
          + "://"
          + uri.getHost()
          + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    } catch (IllegalArgumentException e) {
      return "(a URL that does not parse)";
    }
  }
}
