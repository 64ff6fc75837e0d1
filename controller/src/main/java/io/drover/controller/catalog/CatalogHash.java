package io.drover.controller.catalog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The content hash of a catalog. Every field is fed to SHA-256 explicitly, length-prefixed, rather
 * than through {@code toString()}, whose format the JDK does not promise. Order that carries no
 * meaning (services, profiles, env and system properties) is sorted away; order that does (ports,
 * args, flags) is kept.
 */
final class CatalogHash {
  private static final String FORMAT = "drover-catalog-hash-v1";
  private final MessageDigest digest;

  private CatalogHash() {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  static String of(Catalog catalog) {
    CatalogHash h = new CatalogHash();
    h.text(FORMAT);
    Map<String, JvmProfileSpec> profiles = new TreeMap<>(catalog.profiles());
    h.number(profiles.size());
    profiles.values().forEach(h::profile);
    List<ServiceSpec> services =
        catalog.services().stream().sorted(Comparator.comparing(ServiceSpec::name)).toList();
    h.number(services.size());
    services.forEach(h::service);
    return HexFormat.of().formatHex(h.digest.digest());
  }

  private void profile(JvmProfileSpec p) {
    text(p.name());
    optional(p.java());
    number(p.heapMb());
    texts(p.flags());
  }

  private void service(ServiceSpec s) {
    text(s.name());
    text(s.artifact().kind().name());
    text(s.artifact().location());
    optional(s.artifact().sha256());
    text(s.entry());
    text(s.mode().name());
    text(s.profile());
    number(s.resources().memoryMb());
    number(s.resources().cpuMillis());
    number(s.replicas().min());
    number(s.replicas().max());
    number(s.replicas().initial());
    texts(s.ports());
    text(s.health().type().name());
    optional(s.health().path());
    optional(s.health().port());
    duration(s.health().interval());
    duration(s.health().timeout());
    map(s.env());
    texts(s.args());
    map(s.systemProperties());
    number(s.warmPool());
    duration(s.gracePeriod());
    duration(s.startTimeout());
    s.scaling().ifPresent(this::scaling);
    if (!s.recovery().equals(RecoveryPolicy.DEFAULT)) {
      recovery(s.recovery());
    }
  }

  /** Fed only when not the default, after its own marker, for the same reason as scaling. */
  private void recovery(RecoveryPolicy p) {
    number(-2);
    number(p.errorThreshold());
    duration(p.errorWindow());
    number(p.onErrors().ordinal());
    number(p.crashThreshold());
    duration(p.crashWindow());
  }

  /**
   * Fed only when present, after a marker no text length can be (-1), so that the hash of every
   * catalog written before scaling existed stays what it was, and no two contents share a hash.
   */
  private void scaling(ScalingPolicy p) {
    number(-1);
    duration(p.interval());
    duration(p.upStabilization());
    duration(p.downStabilization());
    duration(p.upCooldown());
    duration(p.downCooldown());
    number(p.maxStepUp());
    number(p.maxStepDown());
    number(p.overload() ? 1 : 0);
    duration(p.overloadCooldown());
    // Targets and rules are combined by taking the largest recommendation: their order means
    // nothing.
    number(p.targets().size());
    for (ScalingPolicy.Target t :
        p.targets().stream().sorted(Comparator.comparing(ScalingPolicy.Target::metric)).toList()) {
      text(t.metric());
      decimal(t.target());
    }
    number(p.rules().size());
    for (ScalingPolicy.Rule r :
        p.rules().stream()
            .sorted(
                Comparator.comparing(ScalingPolicy.Rule::metric)
                    .thenComparing(ScalingPolicy.Rule::condition)
                    .thenComparingDouble(ScalingPolicy.Rule::threshold)
                    .thenComparingInt(ScalingPolicy.Rule::change))
            .toList()) {
      text(r.metric());
      text(r.condition().name());
      decimal(r.threshold());
      number(r.change());
    }
  }

  private void text(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    number(bytes.length);
    digest.update(bytes);
  }

  private void number(long n) {
    digest.update(ByteBuffer.allocate(Long.BYTES).putLong(n).array());
  }

  private void decimal(double d) {
    number(Double.doubleToLongBits(d == 0 ? 0.0 : d));
  }

  private void duration(Duration d) {
    number(d.toMillis());
  }

  private void optional(Optional<String> value) {
    number(value.isPresent() ? 1 : 0);
    value.ifPresent(this::text);
  }

  private void texts(List<String> list) {
    number(list.size());
    list.forEach(this::text);
  }

  private void map(Map<String, String> map) {
    Map<String, String> sorted = new TreeMap<>(map);
    number(sorted.size());
    sorted.forEach(
        (k, v) -> {
          text(k);
          text(v);
        });
  }
}
