package io.drover.cli.client;

import io.drover.common.security.Pem;
import io.drover.common.security.SecurityMaterialException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import picocli.CommandLine;

/** TLS for CLI clients: trust the cluster CA of {@code --ca}, present {@code --cert/--key}. */
final class ClientTls {
  private ClientTls() {}

  static SslContext sslContext(ClientOptions options, CommandLine commandLine) {
    Path caFile = options.ca().orElseThrow();
    try {
      SslContextBuilder builder =
          SslContextBuilder.forClient().trustManager(Pem.certificate(Pem.read(caFile)));
      if (options.cert().isPresent() != options.key().isPresent()) {
        throw new CommandLine.ParameterException(
            commandLine, "--cert and --key go together: give both or neither");
      }
      if (options.cert().isPresent()) {
        builder.keyManager(
            Pem.privateKey(Pem.read(options.key().get())),
            Pem.certificates(Pem.read(options.cert().get())).toArray(new X509Certificate[0]));
      }
      return GrpcSslContexts.configure(builder).build();
    } catch (SecurityMaterialException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }
}
