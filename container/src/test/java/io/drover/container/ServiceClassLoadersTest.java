package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.drover.container.testing.TestJars;
import io.drover.container.testservices.EchoService;
import io.drover.sdk.MicroService;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceClassLoadersTest {
  @TempDir Path dir;

  @Test
  void aServiceSeesTheSdkTheJdkAndItsJarButNotTheRuntime() throws Exception {
    Path jar = TestJars.of(dir.resolve("echo.jar"), EchoService.class);
    try (URLClassLoader loader =
        ServiceClassLoaders.forJar("echo", jar, ServiceClassLoadersTest.class.getClassLoader())) {
      assertThat(loader.loadClass("io.drover.sdk.MicroService")).isSameAs(MicroService.class);
      assertThat(loader.loadClass("com.codahale.metrics.MetricRegistry"))
          .isSameAs(MetricRegistry.class);
      assertThat(loader.loadClass("java.sql.Connection")).isNotNull();
      assertThat(loader.loadClass("com.sun.net.httpserver.HttpServer")).isNotNull();

      Class<?> echo = loader.loadClass(EchoService.class.getName());
      assertThat(echo).isNotSameAs(EchoService.class);
      assertThat(echo.getClassLoader()).isSameAs(loader);
      assertThat(MicroService.class.isAssignableFrom(echo)).isTrue();

      for (String hidden :
          new String[] {
            "io.grpc.ManagedChannel",
            "io.grpc.netty.shaded.io.netty.channel.Channel",
            "com.google.protobuf.Message",
            "io.drover.v1.ServiceAssignment",
            "io.drover.container.ContainerMain",
            "org.slf4j.Logger",
            "org.junit.jupiter.api.Test"
          }) {
        assertThatThrownBy(() -> loader.loadClass(hidden))
            .as(hidden)
            .isInstanceOf(ClassNotFoundException.class);
      }
      assertThat(loader.getResource("io/grpc/ManagedChannel.class")).isNull();
      assertThat(loader.getResource("com/codahale/metrics/Timer.class")).isNotNull();
    }
  }
}
