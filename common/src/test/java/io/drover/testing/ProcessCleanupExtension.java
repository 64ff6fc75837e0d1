package io.drover.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Kills every process a test registered, with all its descendants, after the test. A leaked JVM
 * would slow or break the next test on a 2-core machine.
 */
public final class ProcessCleanupExtension implements AfterEachCallback {
  private final List<ProcessHandle> processes = new ArrayList<>();

  public synchronized Process register(Process process) {
    processes.add(process.toHandle());
    return process;
  }

  public synchronized void register(ProcessHandle process) {
    processes.add(process);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<ProcessHandle> all;
    synchronized (this) {
      all = new ArrayList<>(processes);
      processes.clear();
    }
    killTrees(all, Duration.ofSeconds(5));
  }

  /** Sends SIGTERM to each tree, then SIGKILL to whatever is still alive after {@code grace}. */
  public static void killTrees(List<ProcessHandle> roots, Duration grace) {
    List<ProcessHandle> everything = new ArrayList<>();
    for (ProcessHandle root : roots) {
      // Descendants first: once the parent dies they are re-parented and can no longer be found.
      everything.addAll(root.descendants().collect(Collectors.toList()));
      everything.add(root);
    }
    everything.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle p : everything) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          p.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (Exception timedOut) {
        // Fall through to SIGKILL below.
      }
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
