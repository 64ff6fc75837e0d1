package io.drover.provider.ec2;

import static io.drover.provider.ec2.Ec2Emulator.DEFAULT_TEMPLATE_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import io.drover.provider.ec2.Ec2Emulator.Call;
import io.drover.provider.ec2.Ec2Emulator.EmulatedInstance;
import io.drover.provider.testing.ServerProviderContract;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The provider contract and the EC2-only behaviour, against {@link Ec2Emulator}. */
class Ec2ServerProviderTest extends ServerProviderContract {
  private static final String CLUSTER = "blue";
  private static final String CONTROLLER = "10.0.0.10:7400";

  @TempDir Path dataDir;
  private Ec2Emulator emulator;

  @BeforeEach
  void startEmulator() throws IOException {
    emulator = closeAfterTest(Ec2Emulator.start());
  }

  // ---- the contract's hooks ----

  @Override
  protected ServerProvider newProvider() throws ProviderException {
    return create(settings(), CLUSTER);
  }

  @Override
  protected Set<String> liveServerIds() {
    return emulator.liveInstances().stream()
        .filter(i -> CLUSTER.equals(i.tags().get("drover:cluster")))
        .map(EmulatedInstance::id)
        .collect(Collectors.toSet());
  }

  @Override
  protected void refuseCreationAfter(int created) {
    emulator.instanceLimit(emulator.liveInstances().size() + created);
  }

  @Override
  protected void clearFaults() {
    emulator.refuseAll(false);
    emulator.throttle(null, 0);
    emulator.instanceLimit(Integer.MAX_VALUE);
  }

  @Override
  protected String quotaMessage() {
    return "InstanceLimitExceeded: You have requested more instances";
  }

  @Override
  protected boolean throttle(int times) {
    emulator.throttle(null, times);
    return true;
  }

  @Override
  protected String throttleMessage() {
    return "RequestLimitExceeded: Request limit exceeded.";
  }

  @Override
  protected int throttledCalls() {
    return emulator.throttledAnswers();
  }

  @Override
  protected boolean refuseCredentials() {
    emulator.refuseAll(true);
    return true;
  }

  @Override
  protected String authMessage() {
    return "AuthFailure: AWS was not able to validate the provided access credentials";
  }

  private Map<String, String> settings() {
    Map<String, String> s = new HashMap<>();
    s.put("region", "us-east-1");
    s.put("launchTemplate", DEFAULT_TEMPLATE_ID);
    s.put("endpoint", emulator.endpoint().toString());
    s.put("accessKeyId", "AKIDEXAMPLE");
    s.put("secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    s.put("apiTimeout", "10s");
    return s;
  }

  private ServerProvider create(Map<String, String> settings, String cluster)
      throws ProviderException {
    return track(
        new Ec2ProviderFactory()
            .create(new ProviderContext(CONTROLLER, dataDir, settings, cluster)));
  }

  private ServerProvider createWith(String key, String value) throws ProviderException {
    Map<String, String> s = settings();
    s.put(key, value);
    return create(s, CLUSTER);
  }

  // ---- provision ----

  @Test
  void provisionTagsTheInstanceAndHandsTheAgentItsControllerNameTokenAndCaFingerprint()
      throws Exception {
    Server server = provider().provision(request(1)).get(0);

    assertThat(server.nodeName()).matches("ec2-[0-9a-f]{8}");
    assertThat(server.kind()).isEqualTo("ec2");
    EmulatedInstance instance = emulator.instance(server.id()).orElseThrow();
    assertThat(instance.tags())
        .containsEntry("drover:cluster", CLUSTER)
        .containsEntry("drover:node", server.nodeName())
        .containsEntry("drover:managed", "true")
        .containsEntry("Name", server.nodeName())
        .containsEntry("drover:reason", "contract test");
    assertThat(instance.userData())
        .isEqualTo(
            "#!/bin/sh\n"
                + "# Written by the Drover ec2 provider: starts the node agent "
                + server.nodeName()
                + ".\n"
                + "set -eu\n"
                + "drover agent --controller '10.0.0.10:7400' --name '"
                + server.nodeName()
                + "' --join-token 'token-123' --ca-fingerprint '"
                + "cd".repeat(32)
                + "'\n");
    assertThat(instance.launchTemplate()).isEqualTo(DEFAULT_TEMPLATE_ID);
    assertThat(instance.launchTemplateVersion()).isEqualTo("$Default");
    assertThat(instance.instanceType()).isEqualTo(Ec2Emulator.DEFAULT_TEMPLATE_TYPE);
    assertThat(server.createdAt()).isEqualTo(instance.launchTime());
    assertThat(server.details())
        .containsEntry("instanceType", "t3.medium")
        .containsEntry("privateIp", instance.privateIp())
        .containsEntry("zone", "us-east-1a");

    Call run = emulator.calls("RunInstances").get(0);
    assertThat(run.params())
        .containsEntry("MinCount", "1")
        .containsEntry("MaxCount", "1")
        .containsEntry("LaunchTemplate.LaunchTemplateId", DEFAULT_TEMPLATE_ID)
        .containsEntry("Version", "2016-11-15")
        .doesNotContainKeys("SubnetId", "InstanceType");
    assertThat(run.param("ClientToken")).startsWith(server.nodeName() + "-");
    assertThat(run.accessKeyId()).isEqualTo("AKIDEXAMPLE");
    assertThat(run.region()).isEqualTo("us-east-1");
  }

  @Test
  void anEmptyJoinTokenLeavesTheFlagOutAndSettingsReachRunInstances() throws Exception {
    emulator.addLaunchTemplate("lt-0fedcba9876543210", "web-nodes", "m7i.large");
    Map<String, String> s = settings();
    s.put("launchTemplate", "web-nodes");
    s.put("launchTemplateVersion", "$Latest");
    s.put("subnetId", "subnet-0a1b2c3d4e5f60718");
    s.put("instanceType", "c7i.xlarge");
    s.put("installCommand", "curl -fsSL https://example.org/drover.sh | sh -s --");
    ServerProvider p = create(s, CLUSTER);

    Server server = p.provision(new ProvisionRequest(1, 512, 500, "", "", "")).get(0);

    EmulatedInstance instance = emulator.instance(server.id()).orElseThrow();
    assertThat(instance.userData())
        .endsWith(
            "\ncurl -fsSL https://example.org/drover.sh | sh -s -- --controller '10.0.0.10:7400'"
                + " --name '"
                + server.nodeName()
                + "'\n")
        .doesNotContain("--join-token");
    assertThat(instance.tags()).doesNotContainKey("drover:reason");
    assertThat(instance.launchTemplate()).isEqualTo("lt-0fedcba9876543210");
    assertThat(instance.launchTemplateVersion()).isEqualTo("$Latest");
    assertThat(instance.subnetId()).hasValue("subnet-0a1b2c3d4e5f60718");
    assertThat(instance.instanceType()).isEqualTo("c7i.xlarge");
    assertThat(emulator.calls("RunInstances").get(0).params())
        .containsEntry("LaunchTemplate.LaunchTemplateName", "web-nodes")
        .doesNotContainKey("LaunchTemplate.LaunchTemplateId");
  }

  @Test
  void maxServersIsAQuotaCheckedBeforeAnyLaunch() throws Exception {
    ServerProvider p = createWith("maxServers", "2");
    p.provision(request(1));

    ProviderException e = failure(() -> p.provision(request(2)));

    assertThat(e.kind()).isEqualTo(Kind.QUOTA);
    assertThat(e.getMessage())
        .isEqualTo(
            "provider.ec2.maxServers is 2: cluster blue has 1 servers and 2 more were asked for");
    assertThat(emulator.calls("RunInstances")).hasSize(1);
  }

  @Test
  void anInstanceQuotaIsQuotaWithAwsCodeAndMessage() throws Exception {
    emulator.instanceLimit(1);
    provider().provision(request(1));

    ProviderException e = failure(() -> provider().provision(request(1)));

    assertThat(e.kind()).isEqualTo(Kind.QUOTA);
    assertThat(e.getMessage())
        .startsWith(
            "ec2 RunInstances: InstanceLimitExceeded: You have requested more instances (2)")
        .contains("HTTP 400");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void aFailureHalfwayTerminatesTheServersAlreadyCreatedAndSaysSo() throws Exception {
    emulator.instanceLimit(2);

    ProviderException e = failure(() -> provider().provision(request(3)));

    List<String> created =
        emulator.instances().stream().map(EmulatedInstance::id).sorted().toList();
    assertThat(created).hasSize(2);
    assertThat(e.kind()).isEqualTo(Kind.QUOTA);
    assertThat(e.getMessage())
        .contains("InstanceLimitExceeded")
        .contains("; terminated the 2 of the 3 requested servers already created (")
        .contains(created.get(0))
        .contains(created.get(1));
    assertThat(emulator.liveInstances()).isEmpty();
    Call terminate = emulator.calls("TerminateInstances").get(0);
    assertThat(List.of(terminate.param("InstanceId.1"), terminate.param("InstanceId.2")))
        .containsExactlyInAnyOrderElementsOf(created);
  }

  @Test
  void aFailureHalfwayWhoseCleanUpFailsNamesTheServersLeft() throws Exception {
    emulator.instanceLimit(1);
    emulator.failNext(
        "TerminateInstances",
        403,
        "UnauthorizedOperation",
        "You are not authorized to perform this operation.");

    ProviderException e = failure(() -> provider().provision(request(2)));

    String left = emulator.liveInstances().get(0).id();
    assertThat(e.kind()).isEqualTo(Kind.QUOTA);
    assertThat(e.getMessage())
        .contains("could not terminate the 1 of the 2 requested servers already created")
        .contains(left)
        .contains("UnauthorizedOperation: You are not authorized to perform this operation.")
        .endsWith("they carry drover:cluster=blue and are found by list()");
    assertThat(provider().list()).extracting(Server::id).containsExactly(left);
  }

  @Test
  void anUnknownLaunchTemplateIsOtherWithAwsCode() throws Exception {
    ServerProvider p = createWith("launchTemplate", "lt-00000000000000000");

    ProviderException e = failure(() -> p.provision(request(1)));

    assertThat(e.kind()).isEqualTo(Kind.OTHER);
    assertThat(e.getMessage())
        .startsWith(
            "ec2 RunInstances: InvalidLaunchTemplateId.NotFound: The specified launch template,"
                + " with template ID lt-00000000000000000, does not exist.");
  }

  // ---- list ----

  @Test
  void listFindsOnlyThisClustersManagedInstancesInLiveStates() throws Exception {
    emulator.seed(Map.of("drover:cluster", "green", "drover:managed", "true"), "running");
    emulator.seed(Map.of(), "running");
    emulator.seed(Map.of("Name", "bastion"), "running");
    emulator.seed(Map.of("drover:cluster", CLUSTER), "running");
    emulator.seed(Map.of("drover:cluster", CLUSTER, "drover:managed", "false"), "running");
    emulator.seed(Map.of("drover:cluster", CLUSTER, "drover:managed", "true"), "terminated");
    emulator.seed(Map.of("drover:cluster", CLUSTER, "drover:managed", "true"), "shutting-down");
    String stopped =
        emulator.seed(
            Map.of("drover:cluster", CLUSTER, "drover:managed", "true", "drover:node", "ec2-0000"),
            "stopped");
    List<Server> provisioned = provider().provision(request(2));

    List<Server> listed = provider().list();

    assertThat(listed)
        .extracting(Server::id)
        .containsExactlyInAnyOrder(provisioned.get(0).id(), provisioned.get(1).id(), stopped);
    assertThat(listed)
        .filteredOn(s -> s.id().equals(stopped))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.nodeName()).isEqualTo("ec2-0000");
              assertThat(s.details()).containsEntry("state", "stopped");
            });
    Call describe = emulator.calls("DescribeInstances").get(0);
    assertThat(describe.params())
        .containsEntry("Filter.1.Name", "tag:drover:cluster")
        .containsEntry("Filter.1.Value.1", CLUSTER)
        .containsEntry("Filter.2.Name", "tag:drover:managed")
        .containsEntry("Filter.2.Value.1", "true")
        .containsEntry("Filter.3.Name", "instance-state-name")
        .containsEntry("Filter.3.Value.1", "pending")
        .containsEntry("Filter.3.Value.4", "stopped");
  }

  @Test
  void listFollowsNextTokenPages() throws Exception {
    List<Server> provisioned = provider().provision(request(5));
    emulator.pageSize(2);
    emulator.clearCalls();

    List<Server> listed = provider().list();

    assertThat(listed)
        .extracting(Server::id)
        .containsExactlyElementsOf(provisioned.stream().map(Server::id).toList());
    List<Call> pages = emulator.calls("DescribeInstances");
    assertThat(pages).hasSize(3);
    assertThat(pages.get(0).param("NextToken")).isNull();
    assertThat(pages.get(1).param("NextToken")).isNotBlank();
    assertThat(pages.get(2).param("NextToken"))
        .isNotBlank()
        .isNotEqualTo(pages.get(1).param("NextToken"));
  }

  // ---- release ----

  @Test
  void releaseTerminatesAndReleasingAGoneInstanceSucceeds() throws Exception {
    Server server = provider().provision(request(1)).get(0);

    provider().release(server);
    assertThat(emulator.instance(server.id()).orElseThrow().state()).isEqualTo("shutting-down");
    provider().release(server); // EC2 answers "terminated" again
    emulator.forgetTerminated();
    provider().release(server); // EC2 answers InvalidInstanceID.NotFound

    assertThat(emulator.calls("TerminateInstances"))
        .hasSize(3)
        .allSatisfy(c -> assertThat(c.param("InstanceId.1")).isEqualTo(server.id()));
    assertThat(emulator.instance(server.id())).isEmpty();
  }

  // ---- errors ----

  @Test
  void throttlingTwiceIsRetriedByTheSdkWithTheSameClientToken() throws Exception {
    emulator.throttle("RunInstances", 2);

    List<Server> servers = provider().provision(request(1));

    assertThat(servers).hasSize(1);
    List<Call> runs = emulator.calls("RunInstances");
    assertThat(runs).hasSize(3);
    assertThat(runs)
        .extracting(c -> c.param("ClientToken"))
        .containsOnly(runs.get(0).param("ClientToken"));
    assertThat(emulator.liveInstances()).hasSize(1);
  }

  @Test
  void throttlingForeverIsThrottledWithAwsCodeAndMessage() throws Exception {
    emulator.throttle(null, Integer.MAX_VALUE);

    ProviderException e = failure(() -> provider().list());

    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage())
        .startsWith(
            "ec2 DescribeInstances: RequestLimitExceeded: Request limit exceeded. (HTTP 503");
    assertThat(emulator.calls("DescribeInstances")).as("the SDK's three attempts").hasSize(3);
  }

  @Test
  void refusedCredentialsAreAuthWithAwsMessageAndNotRetried() throws Exception {
    Server server = provider().provision(request(1)).get(0);
    emulator.refuseAll(true);
    emulator.clearCalls();

    for (ThrowingCall call :
        List.<ThrowingCall>of(
            () -> provider().list(),
            () -> provider().provision(request(1)),
            () -> provider().release(server))) {
      ProviderException e = failure(call);
      assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.AUTH);
      assertThat(e.getMessage())
          .contains(
              "AuthFailure: AWS was not able to validate the provided access credentials (HTTP"
                  + " 401");
    }
    assertThat(emulator.calls()).hasSize(3);
  }

  @Test
  void noCredentialsAnywhereIsAuth() throws Exception {
    assumeTrue(
        System.getenv("AWS_ACCESS_KEY_ID") == null
            && System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == null
            && System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == null
            && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") == null,
        "credentials in the environment");
    Path empty = Files.createFile(dataDir.resolve("empty"));
    Map<String, String> properties =
        Map.of(
            "aws.disableEc2Metadata", "true",
            "aws.sharedCredentialsFile", empty.toString(),
            "aws.configFile", empty.toString());
    Map<String, String> saved = new HashMap<>();
    properties.forEach((k, v) -> saved.put(k, System.setProperty(k, v)));
    try {
      Map<String, String> s = settings();
      s.remove("accessKeyId");
      s.remove("secretAccessKey");
      ServerProvider p = create(s, CLUSTER);

      ProviderException e = failure(p::list);

      assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.AUTH);
      assertThat(e.getMessage()).startsWith("ec2 DescribeInstances: Unable to load credentials");
      assertThat(emulator.calls()).isEmpty();
    } finally {
      saved.forEach(
          (k, v) -> {
            if (v == null) {
              System.clearProperty(k);
            } else {
              System.setProperty(k, v);
            }
          });
    }
  }

  @Test
  void anUnreachableEndpointIsUnavailable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ServerProvider p = createWith("endpoint", "http://127.0.0.1:" + port);

    ProviderException e = failure(p::list);

    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.getMessage()).startsWith("ec2 DescribeInstances: cannot reach EC2: ");
  }

  // ---- settings and discovery ----

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "region | '' | provider.ec2.region: missing",
        "region | Europe | provider.ec2.region: 'Europe' is not a region",
        "launchTemplate | '' | provider.ec2.launchTemplate: missing",
        "launchTemplate | lt-xyz | provider.ec2.launchTemplate: 'lt-xyz' is neither",
        "launchTemplateVersion | latest | provider.ec2.launchTemplateVersion: 'latest' is not",
        "subnetId | net-1 | provider.ec2.subnetId: 'net-1' is not a subnet id",
        "instanceType | large | provider.ec2.instanceType: 'large' is not an instance type",
        "maxServers | ten | provider.ec2.maxServers: 'ten' is not a whole number",
        "maxServers | 0 | provider.ec2.maxServers: '0' must be at least 1",
        "endpoint | ftp://host | provider.ec2.endpoint: 'ftp://host' is not an http or https URL",
        "apiTimeout | soon | provider.ec2.apiTimeout: 'soon' is not a duration",
        "apiTimeout | 1h | provider.ec2.apiTimeout: '1h' must be between 1s and 10m",
        "secretAccessKey | '' | provider.ec2.secretAccessKey: missing: accessKeyId is set",
        "regoin | us-east-1 | provider.ec2.regoin: unknown setting",
      })
  void aBadSettingIsConfigNamingItsKey(String key, String value, String expected) {
    ProviderException e = failure(() -> createWith(key, value));

    assertThat(e.kind()).isEqualTo(Kind.CONFIG);
    assertThat(e.getMessage()).contains(expected);
  }

  @Test
  void everyBadSettingIsNamedAtOnce() {
    ProviderException e =
        failure(
            () ->
                create(
                    Map.of("accessKeyId", "AKID", "installCommand", "a\nb", "maxServers", "-1"),
                    CLUSTER));

    assertThat(e.kind()).isEqualTo(Kind.CONFIG);
    assertThat(e.getMessage())
        .isEqualTo(
            "provider.ec2.region: missing; provider.ec2.launchTemplate: missing;"
                + " provider.ec2.maxServers: '-1' must be at least 1;"
                + " provider.ec2.secretAccessKey: missing: accessKeyId is set, so both are needed;"
                + " provider.ec2.installCommand: must be a single line");
  }

  @Test
  void closeStopsTheSdkThreads() throws Exception {
    ServerProvider p = create(settings(), CLUSTER);
    p.list();
    assertThat(sdkThreads()).isNotEmpty();

    p.close();
    p.close();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sdkThreads()).isEmpty());
  }

  /** The SDK's timeout scheduler and the Apache client's idle-connection reaper. */
  private static List<String> sdkThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("sdk-") || n.equals("idle-connection-reaper"))
        .toList();
  }

  @Test
  void theSecretNeverAppearsInToString() throws Exception {
    assertThat(provider().toString()).contains("AKIDEXAMPLE").doesNotContain("wJalrXUtnFEMI");
  }

  @Test
  void theFactoryIsFoundThroughServiceLoaderByKind() throws Exception {
    ServerProviderFactory factory =
        ServiceLoader.load(ServerProviderFactory.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(f -> f.kind().equals("ec2"))
            .findFirst()
            .orElseThrow();

    assertThat(factory).isInstanceOf(Ec2ProviderFactory.class);
    ServerProvider p =
        track(factory.create(new ProviderContext(CONTROLLER, dataDir, settings(), CLUSTER)));
    assertThat(p.kind()).isEqualTo("ec2");
    assertThat(p.canProvision()).isTrue();
    assertThat(p.canRelease()).isTrue();
    assertThat(p.list()).isEmpty();
  }
}
