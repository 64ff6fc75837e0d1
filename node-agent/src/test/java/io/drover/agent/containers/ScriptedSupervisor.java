package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.artifacts.ArtifactCache;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerReport;
import io.drover.v1.ErrorReport;
import io.drover.v1.JvmProfile;
import io.drover.v1.OverloadReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link ContainerSupervisor} whose "java" is a shell script, so that its containers are
 * real processes started the agent's way (own session, output appended to jvm.out) without a JVM.
 */
final class ScriptedSupervisor implements AutoCloseable {
  final ContainerSupervisor supervisor;
  final List<ContainerReport> reports = new CopyOnWriteArrayList<>();
  private final Path dir;

  /**
   * @param script the body of the script, run in the container's directory
   */
  ScriptedSupervisor(Path dir, String script, long logMaxBytes) throws Exception {
    this.dir = dir;
    Path java = dir.resolve("java");
    Files.writeString(java, "#!/bin/sh\n" + script + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    supervisor =
        new ContainerSupervisor(
            new ContainerLauncher(java.toString(), "", () -> "127.0.0.1:1", logMaxBytes),
            new ArtifactCache(
                dir.resolve("cache"),
                (hash, target) -> CompletableFuture.failedFuture(new AssertionError()),
                Runnable::run),
            new ContainerListener() {
              @Override
              public void changed(ContainerReport report, String commandId) {
                reports.add(report);
              }

              @Override
              public void overload(OverloadReport report) {}

              @Override
              public void error(ErrorReport report) {}
            },
            dir.resolve("containers"),
            new ContainerStore(dir.resolve("records")),
            Clock.systemUTC(),
            2,
            1000);
  }

  /** Starts one container and returns its report. */
  ContainerReport startOne() throws Exception {
    CommandResult started =
        supervisor
            .startContainers(JvmProfile.newBuilder().setName("test").build(), 1, null, "start")
            .get(10, TimeUnit.SECONDS);
    assertThat(started.getOk()).as(started.getError()).isTrue();
    String id = started.getContainerIds(0);
    ContainerReport report =
        supervisor.reports().stream()
            .filter(r -> r.getContainerId().equals(id))
            .findFirst()
            .orElseThrow();
    assertThat(report.getPid()).isPositive();
    return report;
  }

  /** The directory of a container. */
  Path containerDir(String id) {
    return dir.resolve("containers").resolve(id);
  }

  @Override
  public void close() {
    supervisor.close();
  }
}
