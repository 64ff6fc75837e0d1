package io.drover.cli.client;

import io.drover.common.Version;
import io.drover.common.config.Durations;
import io.drover.common.net.HostPort;
import io.drover.v1.ControlGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** A connection to the controller's Control API for one CLI invocation. */
public final class ControlClient implements AutoCloseable {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final HostPort address;
  private final Duration timeout;
  private final ManagedChannel channel;

  public ControlClient(ClientOptions options, CommandLine commandLine) {
    Optional<String> token;
    try {
      this.address = HostPort.parse(options.controller());
      this.timeout = Durations.parse(options.timeout());
      token = options.token();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(address.host(), address.port());
    if (options.ca().isPresent()) {
      builder.sslContext(ClientTls.sslContext(options, commandLine));
    } else {
      builder.usePlaintext();
    }
    token.ifPresent(t -> builder.intercept(bearer(t)));
    this.channel = builder.userAgent("drover-cli/" + Version.current()).build();
  }

  /** Sends {@code authorization: Bearer TOKEN} with every call. */
  public static ClientInterceptor bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  public HostPort address() {
    return address;
  }

  public Duration timeout() {
    return timeout;
  }

  /** A stub whose calls end after the timeout; every unary call uses one. */
  public ControlGrpc.ControlBlockingStub unary() {
    return ControlGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The channel, for other services of the controller. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A stub without deadline, for watches that run until the user stops them. */
  public ControlGrpc.ControlBlockingStub streaming() {
    return ControlGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
