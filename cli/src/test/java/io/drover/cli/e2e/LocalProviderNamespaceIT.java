package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.controller.providers.local.NetworkNamespace;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.Instance;
import io.drover.v1.ScaleServiceRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root, the {@code local} provider starts each agent in a network namespace of its own: its
 * instances are reached at the namespace's address, and releasing the server removes it.
 */
class LocalProviderNamespaceIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void aLocalServerGetsItsOwnNetworkAndLosesItOnRelease() throws Exception {
    Optional<String> unavailable = NetworkNamespace.unavailableBecause();
    assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElse(""));
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 0, max: 2, initial: 1}
            ports: [http]
            gracePeriod: 1s
        """
            .formatted(TestCluster.EXAMPLES));
    int port = FreePorts.find();
    String namespace = "drover-l1-" + port;
    try (TestCluster cluster = TestCluster.onAllInterfaces(drover, port)) {
      try {
        cluster.startController(
            catalog,
            "--provider-kind",
            "local",
            "--provider-idle-server-ttl",
            "3s",
            "--set",
            "provider.local.maxServers=1",
            "--set",
            "provider.local.network=namespace",
            "--set",
            "provider.local.ports=20000-20999");
        await()
            .atMost(Duration.ofSeconds(120))
            .ignoreExceptions()
            .until(
                () ->
                    cluster.ready().size() == 1
                        && cluster.ready().stream().allMatch(cluster::serves));
        Instance instance = cluster.ready().get(0);
        assertThat(instance.getNodeName()).isEqualTo("local-1");
        assertThat(instance.getAddress()).startsWith("10.214.");
        assertThat(namespaces()).contains(namespace);
        // The controller serves TLS: the provider gave the new agent a join token of its own.
        assertThat(cluster.events(500))
            .anyMatch(e -> e.getKind().equals("JOIN_TOKEN_CREATED"))
            .anyMatch(e -> e.getKind().equals("NODE_CERTIFICATE_ISSUED"));

        cluster
            .control()
            .scaleService(
                ScaleServiceRequest.newBuilder().setService("hello").setReplicas(0).build());
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> !namespaces().contains(namespace));
        assertThat(cluster.events(500))
            .anyMatch(
                e -> e.getKind().equals("SERVER_RELEASED") && e.getMessage().contains("local-1"));
      } finally {
        NetworkNamespace.delete("l1-" + port);
      }
    }
  }

  private static List<String> namespaces() throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out.lines().map(l -> l.split(" ")[0]).toList();
  }
}
