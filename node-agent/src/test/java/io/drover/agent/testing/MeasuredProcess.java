package io.drover.agent.testing;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM for tests that measure a process from outside. It obeys one command per line on stdin
 * and answers {@code ok} on stdout once it is done: {@code files N PATH} opens PATH N more times,
 * {@code threads N} starts N more parked threads, {@code memory MB} allocates and touches MB
 * mebibytes, {@code spin} starts a thread that burns CPU. It exits when stdin closes.
 */
public final class MeasuredProcess {
  private static final List<Object> KEPT = new ArrayList<>();
  private static volatile long sink;

  private MeasuredProcess() {}

  public static void main(String[] args) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.out.println("ok");
    System.out.flush();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] words = line.trim().split(" ");
      switch (words[0]) {
        case "files" -> {
          for (int i = 0; i < Integer.parseInt(words[1]); i++) {
            InputStream file = new FileInputStream(words[2]);
            KEPT.add(file);
          }
        }
        case "threads" -> {
          for (int i = 0; i < Integer.parseInt(words[1]); i++) {
            Thread parked = new Thread(() -> LockSupport.park(), "parked-" + KEPT.size());
            parked.setDaemon(true);
            parked.start();
            KEPT.add(parked);
          }
        }
        case "memory" -> {
          byte[] block = new byte[Integer.parseInt(words[1]) << 20];
          for (int i = 0; i < block.length; i += 4096) {
            block[i] = 1;
          }
          KEPT.add(block);
        }
        case "spin" -> {
          Thread spinner =
              new Thread(
                  () -> {
                    long x = 0;
                    while (true) {
                      x += System.nanoTime() % 7;
                      sink = x;
                    }
                  },
                  "spinner");
          spinner.setDaemon(true);
          spinner.start();
        }
        default -> throw new IllegalArgumentException("unknown command: " + line);
      }
      System.out.println("ok");
      System.out.flush();
    }
  }
}
