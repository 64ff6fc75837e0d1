package io.drover.common;

/** The version of this build, from the jar manifest; "dev" when run from classes. */
public final class Version {
  private static final String CURRENT = detect();

  private Version() {}

  public static String current() {
    return CURRENT;
  }

  private static String detect() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null || v.isBlank() ? "dev" : v;
  }
}
