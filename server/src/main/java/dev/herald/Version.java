package dev.herald;

/**
 * The version Herald was built as: the {@code Implementation-Version} the build writes into the
 * jar's manifest (the Maven project version), or {@code "development"} when running from classes
 * that are not in a packaged jar (an IDE, unit tests). Stateless.
 */
public final class Version {
  private Version() {}

  public static String current() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version == null || version.isBlank() ? "development" : version;
  }
}
