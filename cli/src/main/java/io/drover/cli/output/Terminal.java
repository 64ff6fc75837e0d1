package io.drover.cli.output;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A full-screen view on the user's terminal, as {@code top} draws it: the alternate screen, no
 * cursor, keys read one at a time without Enter (through {@code stty}), and everything put back on
 * close, on Ctrl-C and on any other end of the JVM.
 */
public final class Terminal implements AutoCloseable {
  private static final String ESC = "\u001b[";
  private static final File TTY = new File("/dev/tty");

  private final PrintStream out;
  private final Optional<String> savedMode;
  private final BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();
  private final Thread restoreOnExit;
  private boolean closed;

  private Terminal(PrintStream out, Optional<String> savedMode) {
    this.out = out;
    this.savedMode = savedMode;
    this.restoreOnExit = new Thread(this::restore, "drover-terminal-restore");
    Runtime.getRuntime().addShutdownHook(restoreOnExit);
    Thread reader = new Thread(this::readKeys, "drover-terminal-keys");
    reader.setDaemon(true);
    reader.start();
    out.print(ESC + "?1049h" + ESC + "?25l" + ESC + "H" + ESC + "2J");
    out.flush();
  }

  /** Takes over the terminal; keys need Enter where {@code stty} is missing. */
  public static Terminal open(PrintStream out) {
    Optional<String> saved = stty("-g").map(String::trim);
    saved.ifPresent(mode -> stty("-icanon", "-echo", "min", "1", "time", "0"));
    return new Terminal(out, saved);
  }

  /** Whether both standard input and output are a terminal. */
  public static boolean interactive() {
    return System.console() != null;
  }

  /** Rows and columns; 24 × 80 when the terminal does not say. */
  public int[] size() {
    Optional<int[]> size =
        stty("size")
            .map(String::trim)
            .filter(s -> s.matches("\\d+ \\d+"))
            .map(s -> s.split(" "))
            .map(p -> new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])})
            .filter(p -> p[0] > 0 && p[1] > 0);
    return size.orElse(new int[] {24, 80});
  }

  /** Draws a whole screen over the last one, line by line, without flicker. */
  public void draw(List<String> lines) {
    StringBuilder screen = new StringBuilder(ESC + "H");
    for (int i = 0; i < lines.size(); i++) {
      screen.append(lines.get(i)).append(ESC).append('K');
      if (i < lines.size() - 1) {
        screen.append("\r\n");
      }
    }
    screen.append(ESC).append('J');
    out.print(screen);
    out.flush();
  }

  /** The next key typed within {@code wait}, or -1. */
  public int nextKey(Duration wait) throws InterruptedException {
    Integer key = keys.poll(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
    return key == null ? -1 : key;
  }

  private void readKeys() {
    InputStream in = System.in;
    try {
      int key;
      while ((key = in.read()) >= 0) {
        keys.add(key);
      }
    } catch (IOException e) {
      // The terminal went away; the view ends with Ctrl-C or with its process.
    }
  }

  private synchronized void restore() {
    if (closed) {
      return;
    }
    closed = true;
    out.print(ESC + "?25h" + ESC + "?1049l");
    out.flush();
    savedMode.ifPresent(Terminal::stty);
  }

  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(restoreOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs (or ran) anyway.
    }
  }

  /** Runs {@code stty} on the controlling terminal; its output, or empty when it failed. */
  private static Optional<String> stty(String... args) {
    if (!TTY.exists()) {
      return Optional.empty();
    }
    String[] command = new String[args.length + 1];
    command[0] = "stty";
    System.arraycopy(args, 0, command, 1, args.length);
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(TTY))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return Optional.of(output);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
