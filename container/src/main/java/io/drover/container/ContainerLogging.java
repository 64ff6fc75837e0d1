package io.drover.container;

import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends the service's {@code System.out} and {@code System.err}, the runtime's own lines ({@link
 * RuntimeLog}) and what gRPC and Netty log through {@code java.util.logging} to the container log.
 * No logging library is added to the JVM, so none can collide with the service's.
 */
public final class ContainerLogging {
  /** Files kept: the log and two rotated ones. */
  public static final int FILES = 3;

  private static volatile PrintStream stream = System.err;

  private ContainerLogging() {}

  /**
   * Redirects {@code System.out} and {@code System.err} to {@code log} (when not null) and routes
   * {@code java.util.logging} there with one line per record.
   */
  public static void install(Path log, long maxBytes) throws IOException {
    if (log != null) {
      RotatingFileOutputStream file = new RotatingFileOutputStream(log, maxBytes, FILES);
      // Like the JVM's own stdout: buffered, flushed at every line.
      PrintStream print =
          new PrintStream(new BufferedOutputStream(file, 8192), true, StandardCharsets.UTF_8);
      System.setOut(print);
      System.setErr(print);
      stream = print;
    } else {
      stream = System.err;
    }
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.INFO);
    root.addHandler(new LineHandler());
    // gRPC logs every reconnect attempt at INFO and FINE; the runtime says what matters itself.
    Logger.getLogger("io.grpc").setLevel(Level.WARNING);
    // Netty would log through SLF4J when it finds the API on the class path (it does: Dropwizard
    // Metrics needs it), and SLF4J without a provider complains on stderr. Keep Netty on JUL.
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
  }

  /** Flushes the log; called before the JVM exits. */
  public static void flush() {
    stream.flush();
  }

  /** Writes one line (and the stack trace of {@code thrown}) to the container log. */
  static void write(String level, String source, String message, Throwable thrown) {
    stream.print(format(System.currentTimeMillis(), level, source, message, thrown));
  }

  /** One line per record: {@code 2025-01-02T03:04:05.678Z INFO drover: message}. */
  static String format(LogRecord record) {
    return format(
        record.getMillis(),
        record.getLevel().getName(),
        shortName(record.getLoggerName()),
        message(record),
        record.getThrown());
  }

  static String format(long millis, String level, String source, String message, Throwable thrown) {
    StringBuilder line = new StringBuilder(128);
    line.append(Instant.ofEpochMilli(millis))
        .append(' ')
        .append(level)
        .append(' ')
        .append(source)
        .append(": ")
        .append(message)
        .append(System.lineSeparator());
    if (thrown != null) {
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      line.append(trace);
    }
    return line.toString();
  }

  private static String message(LogRecord record) {
    String message = record.getMessage();
    Object[] params = record.getParameters();
    if (message == null || params == null || params.length == 0 || message.indexOf('{') < 0) {
      return String.valueOf(message);
    }
    try {
      return java.text.MessageFormat.format(message, params);
    } catch (IllegalArgumentException e) {
      return message;
    }
  }

  private static String shortName(String logger) {
    if (logger == null || logger.isEmpty()) {
      return "root";
    }
    return logger.startsWith("io.drover.container") ? "drover" : logger;
  }

  private static final class LineHandler extends Handler {
    @Override
    public void publish(LogRecord record) {
      if (isLoggable(record)) {
        stream.print(format(record));
      }
    }

    @Override
    public void flush() {
      stream.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }
}
