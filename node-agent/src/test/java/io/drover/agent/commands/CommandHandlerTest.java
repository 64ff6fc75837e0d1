package io.drover.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.artifacts.ArtifactCache;
import io.drover.agent.containers.ContainerLauncher;
import io.drover.agent.containers.ContainerListener;
import io.drover.agent.containers.ContainerStore;
import io.drover.agent.containers.ContainerSupervisor;
import io.drover.v1.Command;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerReport;
import io.drover.v1.ErrorReport;
import io.drover.v1.OverloadReport;
import io.drover.v1.ProbePorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandHandlerTest {
  @TempDir Path dir;

  @Test
  void aReplayedCommandGetsItsFirstResultAndDoesNotRunAgain() throws Exception {
    try (ContainerSupervisor supervisor = supervisor()) {
      CommandHandler handler = new CommandHandler(supervisor);
      int port;
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      Command command =
          Command.newBuilder()
              .setCommandId("cmd-1")
              .setProbePorts(ProbePorts.newBuilder().addPorts(port))
              .build();
      CommandResult first = handler.handle(command).get(5, TimeUnit.SECONDS);
      assertThat(first.getCommandId()).isEqualTo("cmd-1");
      assertThat(first.getFreePortsList()).containsExactly(port);

      // The port is taken now; a replay must still answer what the first run found.
      try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
        assertThat(handler.handle(command).get(5, TimeUnit.SECONDS)).isEqualTo(first);
        CommandResult fresh =
            handler
                .handle(command.toBuilder().setCommandId("cmd-2").build())
                .get(5, TimeUnit.SECONDS);
        assertThat(fresh.getBusyPortsList()).containsExactly(taken.getLocalPort());
      }
    }
  }

  @Test
  void releasingAContainerThatIsGoneChangesNothing() throws Exception {
    try (ContainerSupervisor supervisor = supervisor()) {
      CommandHandler handler = new CommandHandler(supervisor);
      Command command =
          Command.newBuilder()
              .setCommandId("cmd-3")
              .setReleaseContainer(
                  io.drover.v1.ReleaseContainer.newBuilder().setContainerId("nope"))
              .build();
      // Releasing something already gone is done: nothing to do.
      assertThat(handler.handle(command).get(5, TimeUnit.SECONDS).getOk()).isTrue();
    }
  }

  private ContainerSupervisor supervisor() {
    ContainerListener quiet =
        new ContainerListener() {
          @Override
          public void changed(ContainerReport report, String commandId) {}

          @Override
          public void overload(OverloadReport report) {}

          @Override
          public void error(ErrorReport report) {}
        };
    return new ContainerSupervisor(
        new ContainerLauncher("java", "", () -> "127.0.0.1:1", 1 << 20),
        new ArtifactCache(
            dir.resolve("cache"),
            (hash, target) -> CompletableFuture.failedFuture(new AssertionError()),
            Runnable::run),
        quiet,
        dir.resolve("containers"),
        new ContainerStore(dir.resolve("records")),
        Clock.systemUTC(),
        2,
        1000);
  }
}
