package io.drover.agent.grpc;

import io.drover.agent.security.NodeCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the node certificate before it expires, at about 2/3 of its life with jitter (see {@link
 * NodeCredentials#renewAt}), over the link's mutual-TLS channel. The stream stays open: the new
 * certificate is presented from the next handshake on. A failed renewal is retried, sooner as the
 * end comes nearer.
 */
public final class CertificateRenewer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateRenewer.class);

  private final NodeTls tls;
  private final ManagedChannel channel;
  private final Path dataDir;
  private final ScheduledExecutorService executor;

  public CertificateRenewer(NodeTls tls, ManagedChannel channel, Path dataDir) {
    this.tls = tls;
    this.channel = channel;
    this.dataDir = dataDir;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drover-cert-renewal");
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    schedule(tls.credentials().renewAt());
  }

  private void schedule(Instant at) {
    long delay = Math.max(0, Duration.between(Instant.now(), at).toMillis());
    log.info("node certificate valid until {}; renewal at {}", tls.credentials().notAfter(), at);
    executor.schedule(this::renew, delay, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      NodeCredentials renewed = tls.renew(channel);
      renewed.store(dataDir);
      tls.use(renewed);
      log.info(
          "node certificate renewed: serial {}, valid until {}",
          renewed.certificate().getSerialNumber().toString(16),
          renewed.notAfter());
      schedule(renewed.renewAt());
    } catch (RuntimeException e) {
      Duration left = Duration.between(Instant.now(), tls.credentials().notAfter());
      long retryMs = Math.max(2_000, Math.min(60_000, left.toMillis() / 10));
      log.warn(
          "could not renew the node certificate ({} left): {}; retrying in {} ms",
          left,
          e.getMessage(),
          retryMs);
      executor.schedule(this::renew, retryMs, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
