package io.drover.provider.ec2;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Servers as EC2 instances launched from a launch template. Every instance it creates carries the
 * tags {@code drover:cluster}, {@code drover:node} and {@code drover:managed=true}; {@link #list}
 * finds them by those tags alone, so that a restarted controller sees what an earlier one created.
 * The agent learns the controller's address, its node name and the join token from the instance's
 * user-data ({@link UserData}).
 */
public final class Ec2ServerProvider implements ServerProvider {
  public static final String KIND = "ec2";
  static final String TAG_CLUSTER = "drover:cluster";
  static final String TAG_NODE = "drover:node";
  static final String TAG_MANAGED = "drover:managed";
  static final String TAG_REASON = "drover:reason";
  static final List<String> LISTED_STATES = List.of("pending", "running", "stopping", "stopped");

  private static final Logger log = LoggerFactory.getLogger(Ec2ServerProvider.class);
  private static final int MAX_TAG_VALUE = 256;
  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final ProviderContext context;
  private final Ec2Settings settings;
  private final Ec2Client ec2;
  private final SecureRandom random = new SecureRandom();
  private final AtomicBoolean closed = new AtomicBoolean();

  Ec2ServerProvider(ProviderContext context, Ec2Settings settings) {
    this.context = context;
    this.settings = settings;
    this.ec2 = client(settings);
  }

  private static Ec2Client client(Ec2Settings settings) {
    Duration connect =
        settings.apiTimeout().compareTo(MAX_CONNECT_TIMEOUT) < 0
            ? settings.apiTimeout()
            : MAX_CONNECT_TIMEOUT;
    Ec2ClientBuilder builder =
        Ec2Client.builder()
            .region(Region.of(settings.region()))
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .connectionTimeout(connect)
                    .socketTimeout(settings.apiTimeout()))
            .overrideConfiguration(
                o ->
                    // Standard mode: 3 attempts, jittered exponential backoff, longer after
                    // throttling. Named here so that AWS_RETRY_MODE cannot turn it off.
                    o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(settings.apiTimeout()));
    settings.endpoint().ifPresent(builder::endpointOverride);
    if (settings.accessKeyId().isPresent()) {
      builder.credentialsProvider(
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(
                  settings.accessKeyId().get(), settings.secretAccessKey().orElseThrow())));
    }
    return builder.build();
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public boolean canProvision() {
    return true;
  }

  @Override
  public boolean canRelease() {
    return true;
  }

  /**
   * One RunInstances per server. If one fails, the servers this call already created are terminated
   * before the error is thrown, so that a failed request leaves nothing behind. Synchronized so
   * that two requests cannot both pass the {@code maxServers} check.
   */
  @Override
  public synchronized List<Server> provision(ProvisionRequest request) throws ProviderException {
    List<Server> existing = list();
    ProviderException.checkMaxServers(
        Ec2Settings.PREFIX,
        settings.maxServers(),
        context.clusterName(),
        existing.size(),
        request.count());
    Set<String> names = new HashSet<>();
    existing.forEach(s -> names.add(s.nodeName()));
    List<Server> created = new ArrayList<>();
    for (int i = 0; i < request.count(); i++) {
      String nodeName = newNodeName(names);
      try {
        Server server = runInstance(nodeName, request);
        created.add(server);
        log.info(
            "launched {} as node {} ({}/{}) for: {}",
            server.id(),
            nodeName,
            i + 1,
            request.count(),
            request.reason());
      } catch (SdkException e) {
        throw undo(created, request.count(), Ec2Errors.map("RunInstances", e));
      }
    }
    return created;
  }

  private Server runInstance(String nodeName, ProvisionRequest request) throws ProviderException {
    LaunchTemplateSpecification.Builder template =
        LaunchTemplateSpecification.builder().version(settings.launchTemplateVersion());
    settings.launchTemplateId().ifPresent(template::launchTemplateId);
    settings.launchTemplateName().ifPresent(template::launchTemplateName);

    List<Tag> tags = new ArrayList<>();
    tags.add(tag(TAG_CLUSTER, context.clusterName()));
    tags.add(tag(TAG_NODE, nodeName));
    tags.add(tag(TAG_MANAGED, "true"));
    tags.add(tag("Name", nodeName));
    if (request.reason() != null && !request.reason().isBlank()) {
      tags.add(tag(TAG_REASON, request.reason()));
    }

    RunInstancesRequest.Builder run =
        RunInstancesRequest.builder()
            .minCount(1)
            .maxCount(1)
            // The SDK's retries reuse it, so a retried call never launches a second instance.
            .clientToken(nodeName + "-" + UUID.randomUUID())
            .launchTemplate(template.build())
            .userData(
                UserData.base64(
                    UserData.script(
                        settings.installCommand(),
                        context.controllerAddress(),
                        nodeName,
                        request.joinToken(),
                        request.caFingerprint())))
            .tagSpecifications(
                TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build());
    settings.subnetId().ifPresent(run::subnetId);
    settings.instanceType().ifPresent(run::instanceType);

    RunInstancesResponse response = ec2.runInstances(run.build());
    if (!response.hasInstances() || response.instances().isEmpty()) {
      throw new ProviderException(
          Kind.OTHER,
          "ec2 RunInstances: reservation " + response.reservationId() + " holds no instance");
    }
    return toServer(response.instances().get(0), nodeName);
  }

  private ProviderException undo(List<Server> created, int asked, ProviderException failure) {
    if (created.isEmpty()) {
      return failure;
    }
    List<String> ids = created.stream().map(Server::id).toList();
    String what =
        created.size()
            + " of the "
            + asked
            + " requested servers already created ("
            + String.join(", ", ids)
            + ")";
    try {
      ec2.terminateInstances(t -> t.instanceIds(ids));
      log.warn("terminated {} after a failed launch: {}", ids, failure.getMessage());
      return new ProviderException(
          failure.kind(),
          failure.getMessage() + "; terminated the " + what + ", so that none is left behind",
          failure.getCause());
    } catch (SdkException terminate) {
      ProviderException e =
          new ProviderException(
              failure.kind(),
              failure.getMessage()
                  + "; could not terminate the "
                  + what
                  + ": "
                  + Ec2Errors.map("TerminateInstances", terminate).getMessage()
                  + "; they carry "
                  + TAG_CLUSTER
                  + "="
                  + context.clusterName()
                  + " and are found by list()",
              failure.getCause());
      e.addSuppressed(terminate);
      log.error("could not terminate {} after a failed launch", ids, terminate);
      return e;
    }
  }

  /** Terminates the instance; one EC2 no longer knows is already gone, which is no error. */
  @Override
  public void release(Server server) throws ProviderException {
    if (!KIND.equals(server.kind())) {
      throw new ProviderException(
          Kind.OTHER, "ec2: " + server.id() + " is a " + server.kind() + " server, not an ec2 one");
    }
    try {
      ec2.terminateInstances(t -> t.instanceIds(server.id()));
      log.info("terminated {} (node {})", server.id(), server.nodeName());
    } catch (SdkException e) {
      if (Ec2Errors.INSTANCE_NOT_FOUND.equals(Ec2Errors.code(e))) {
        log.info("{} (node {}) is already gone", server.id(), server.nodeName());
        return;
      }
      throw Ec2Errors.map("TerminateInstances", e);
    }
  }

  /** The cluster's managed instances that are pending, running, stopping or stopped. */
  @Override
  public List<Server> list() throws ProviderException {
    List<Server> servers = new ArrayList<>();
    String token = null;
    try {
      do {
        DescribeInstancesResponse page =
            ec2.describeInstances(
                DescribeInstancesRequest.builder()
                    .filters(
                        filter("tag:" + TAG_CLUSTER, context.clusterName()),
                        filter("tag:" + TAG_MANAGED, "true"),
                        Filter.builder().name("instance-state-name").values(LISTED_STATES).build())
                    .maxResults(1000)
                    .nextToken(token)
                    .build());
        for (Reservation reservation : page.reservations()) {
          for (Instance instance : reservation.instances()) {
            servers.add(toServer(instance, instance.instanceId()));
          }
        }
        String next = page.nextToken();
        if (next != null && next.equals(token)) {
          throw new ProviderException(
              Kind.OTHER, "ec2 DescribeInstances: the same NextToken came back twice");
        }
        token = next == null || next.isEmpty() ? null : next;
      } while (token != null);
    } catch (SdkException e) {
      throw Ec2Errors.map("DescribeInstances", e);
    }
    return servers;
  }

  /** Closes the SDK client; servers stay as they are. A second call does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      ec2.close();
    }
  }

  private Server toServer(Instance instance, String fallbackNodeName) {
    String nodeName = fallbackNodeName;
    if (instance.hasTags()) {
      for (Tag tag : instance.tags()) {
        if (TAG_NODE.equals(tag.key()) && tag.value() != null && !tag.value().isEmpty()) {
          nodeName = tag.value();
        }
      }
    }
    Map<String, String> details = new LinkedHashMap<>();
    putIfKnown(details, "instanceType", instance.instanceTypeAsString());
    putIfKnown(details, "privateIp", instance.privateIpAddress());
    if (instance.placement() != null) {
      putIfKnown(details, "zone", instance.placement().availabilityZone());
    }
    if (instance.state() != null) {
      putIfKnown(details, "state", instance.state().nameAsString());
    }
    Instant launched = instance.launchTime() == null ? Instant.now() : instance.launchTime();
    return new Server(instance.instanceId(), KIND, nodeName, launched, details);
  }

  private String newNodeName(Set<String> taken) {
    byte[] bytes = new byte[4];
    String name;
    do {
      random.nextBytes(bytes);
      name = "ec2-" + HexFormat.of().formatHex(bytes);
    } while (!taken.add(name));
    return name;
  }

  private static void putIfKnown(Map<String, String> details, String key, String value) {
    if (value != null && !value.isEmpty()) {
      details.put(key, value);
    }
  }

  private static Tag tag(String key, String value) {
    String v = value.length() > MAX_TAG_VALUE ? value.substring(0, MAX_TAG_VALUE) : value;
    return Tag.builder().key(key).value(v).build();
  }

  private static Filter filter(String name, String value) {
    return Filter.builder().name(name).values(value).build();
  }

  @Override
  public String toString() {
    return "Ec2ServerProvider[cluster=" + context.clusterName() + ", " + settings + "]";
  }
}
