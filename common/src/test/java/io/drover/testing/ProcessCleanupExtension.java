package io.drover.testing;

import java.time.Duration;
import java.time.Instant;
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
  private Instant firstRegistered;

  public synchronized Process register(Process process) {
    processes.add(process.toHandle());
    if (firstRegistered == null) {
      firstRegistered = process.toHandle().info().startInstant().orElse(Instant.now());
    }
    return process;
  }

  public synchronized void register(ProcessHandle process) {
    processes.add(process);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<ProcessHandle> all;
    Instant since;
    synchronized (this) {
      all = new ArrayList<>(processes);
      processes.clear();
      since = firstRegistered;
      firstRegistered = null;
    }
    killTrees(all, Duration.ofSeconds(5));
    if (since != null) {
      killOrphanedContainers(since);
    }
  }

  /**
   * Container JVMs outlive a killed agent on purpose; those this test started and left behind
   * (re-parented, so no longer anyone's descendants) are found by their main class.
   */
  private static void killOrphanedContainers(Instant since) {
    List<ProcessHandle> orphans =
        ProcessHandle.allProcesses()
            .filter(
                p ->
                    p.info().commandLine().orElse("").contains("io.drover.container.ContainerMain"))
            .filter(p -> p.info().startInstant().map(t -> !t.isBefore(since)).orElse(false))
            .filter(p -> p.parent().map(parent -> parent.pid() == 1).orElse(true))
            .toList();
    if (!orphans.isEmpty()) {
      System.err.println(
          "ProcessCleanupExtension: killing " + orphans.size() + " orphaned container JVM(s)");
      killTrees(orphans, Duration.ofSeconds(2));
    }
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
