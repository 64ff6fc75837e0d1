package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.container.testing.TestJars;
import io.drover.container.testservices.ArgsRecordingMain;
import io.drover.sdk.MicroService;
import io.drover.testing.FreePorts;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher in this JVM, starting a plain main from a jar in a class loader of its own. */
class ServiceLauncherTest {
  @TempDir Path dir;

  @Test
  void aPlainMainGetsTheAssignmentsArgumentsThenItsPortAndListensOnIt() throws Exception {
    Path jar = TestJars.of(dir.resolve("args.jar"), ArgsRecordingMain.class);
    Path recorded = dir.resolve("args.txt");
    int port = FreePorts.find();
    ServiceAssignment assignment =
        ServiceAssignment.newBuilder()
            .setService("plain")
            .setInstanceId("plain-1")
            .setEntry(ArgsRecordingMain.class.getName())
            .setLocalPath(jar.toString())
            .addArgs(recorded.toString())
            .addArgs("--greeting=hi there")
            .addPorts(PortBinding.newBuilder().setName("http").setPort(port))
            .build();
    Recorder callbacks = new Recorder();

    // Without system properties: the service can only have found its port in its arguments.
    Thread service =
        new ServiceLauncher(ServiceLauncherTest.class.getClassLoader(), false)
            .launch(assignment, null, callbacks);

    callbacks.outcome.get(20, TimeUnit.SECONDS);
    assertThat(Files.readAllLines(recorded))
        .containsExactly(recorded.toString(), "--greeting=hi there", Integer.toString(port));
    service.join(Duration.ofSeconds(10).toMillis());
    assertThat(service.isAlive()).isFalse();
    // The acceptor closes its socket after the readiness probe; nothing is left listening.
    await().atMost(Duration.ofSeconds(10)).until(() -> !ServiceLauncher.accepts(port));
    callbacks.loader.close();
  }

  /** Records the first outcome; the container stays LOADING until then. */
  private static final class Recorder implements ServiceLauncher.Callbacks {
    final CompletableFuture<String> outcome = new CompletableFuture<>();
    volatile URLClassLoader loader;

    @Override
    public boolean loading() {
      return !outcome.isDone();
    }

    @Override
    public void loaded(URLClassLoader loader, MicroService service) {
      this.loader = loader;
    }

    @Override
    public void ready(String phases) {
      outcome.complete(phases);
    }

    @Override
    public void failed(Throwable cause) {
      outcome.completeExceptionally(cause);
    }

    @Override
    public void mainFailed(Throwable cause) {
      outcome.completeExceptionally(cause);
    }
  }
}
