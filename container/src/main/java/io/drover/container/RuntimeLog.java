package io.drover.container;

/**
 * The runtime's own lines, written straight to the container log. Not through {@code
 * java.util.logging}: its LogManager removes every handler in a shutdown hook of its own, and the
 * lines of a stop that runs in a shutdown hook would be lost. FINE lines appear with {@code
 * DROVER_DEBUG=1}.
 */
final class RuntimeLog {
  private static final boolean DEBUG = "1".equals(System.getenv("DROVER_DEBUG"));

  private RuntimeLog() {}

  static void fine(String message) {
    if (DEBUG) {
      ContainerLogging.write("FINE", "drover", message, null);
    }
  }

  static void info(String message) {
    ContainerLogging.write("INFO", "drover", message, null);
  }

  static void warning(String message) {
    ContainerLogging.write("WARNING", "drover", message, null);
  }

  static void warning(String message, Throwable thrown) {
    ContainerLogging.write("WARNING", "drover", message, thrown);
  }

  static void severe(String message) {
    ContainerLogging.write("SEVERE", "drover", message, null);
  }

  static void severe(String message, Throwable thrown) {
    ContainerLogging.write("SEVERE", "drover", message, thrown);
  }

  static void fine(String message, Throwable thrown) {
    if (DEBUG) {
      ContainerLogging.write("FINE", "drover", message, thrown);
    }
  }
}
