package dev.herald.config;

/**
 * Configuration that cannot be used, with where it came from: the file and key, or the environment
 * variable, and the reason. Its message is written for the person starting the server.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String source, String reason) {
    super(source + ": " + reason, null, false, false);
  }

  /**
   * Why a URL did not parse, without the URL itself: the JDK's message quotes the whole input,
   * which for a database or Redis URL holds the password.
   */
  public static String withoutInput(IllegalArgumentException error) {
    if (error.getCause() instanceof java.net.URISyntaxException syntax) {
      return syntax.getReason() + (syntax.getIndex() >= 0 ? " at index " + syntax.getIndex() : "");
    }
    return "malformed URL";
  }
}
