package io.drover.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import io.drover.provider.azure.ArmEmulator.Call;
import io.drover.provider.azure.ArmEmulator.EmulatedVm;
import io.drover.provider.testing.ServerProviderContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

/** The provider contract and the Azure-only behaviour, against {@link ArmEmulator}. */
class AzureServerProviderTest extends ServerProviderContract {
  private static final String CLUSTER = "blue";
  private static final String CONTROLLER = "10.0.0.10:7400";
  private static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
  private static final String GROUP = "drover-rg";
  private static final String SUBNET =
      "/subscriptions/"
          + SUBSCRIPTION
          + "/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes";
  private static final String SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE1xample drover@test";
  private static final TokenCredential EMULATOR_TOKEN =
      request -> Mono.just(new AccessToken(ArmEmulator.TOKEN, OffsetDateTime.now().plusHours(1)));

  private static Path tlsDir;
  private static LoopbackTls tls;
  private static SSLContext savedDefault;

  @TempDir Path dataDir;
  private ArmEmulator arm;

  /** The SDK's JDK HttpClient trusts the JVM's default SSLContext: make it trust the emulator. */
  @BeforeAll
  static void trustTheEmulator() throws Exception {
    tlsDir = Files.createTempDirectory("arm-emulator-tls");
    tls = LoopbackTls.create(tlsDir);
    savedDefault = SSLContext.getDefault();
    SSLContext.setDefault(tls.client);
  }

  @AfterAll
  static void restoreTrust() throws Exception {
    SSLContext.setDefault(savedDefault);
    try (Stream<Path> files = Files.walk(tlsDir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  @BeforeEach
  void startArm() throws Exception {
    arm = closeAfterTest(ArmEmulator.start(tls.server));
  }

  // ---- the contract's hooks ----

  @Override
  protected ServerProvider newProvider() throws ProviderException {
    return create(settings(), EMULATOR_TOKEN);
  }

  @Override
  protected Set<String> liveServerIds() {
    return arm.liveVms().stream()
        .filter(v -> CLUSTER.equals(v.tags().get("drover-cluster")))
        .map(v -> v.id)
        .collect(Collectors.toSet());
  }

  @Override
  protected void refuseCreationAfter(int created) {
    arm.vmLimit(arm.liveVms().size() + created);
  }

  @Override
  protected void clearFaults() {
    arm.refuseAll(false);
    arm.throttle(0);
    arm.vmLimit(Integer.MAX_VALUE);
  }

  @Override
  protected String quotaMessage() {
    return ArmEmulator.QUOTA_MESSAGE;
  }

  @Override
  protected boolean throttle(int times) {
    arm.throttle(times);
    return true;
  }

  @Override
  protected String throttleMessage() {
    return ArmEmulator.THROTTLE_MESSAGE;
  }

  @Override
  protected int throttledCalls() {
    return arm.throttledAnswers();
  }

  @Override
  protected boolean refuseCredentials() {
    arm.refuseAll(true);
    return true;
  }

  @Override
  protected String authMessage() {
    return ArmEmulator.AUTH_MESSAGE;
  }

  private Map<String, String> settings() {
    Map<String, String> s = new HashMap<>();
    s.put("subscriptionId", SUBSCRIPTION);
    s.put("resourceGroup", GROUP);
    s.put("region", "westeurope");
    s.put("image", "Canonical:ubuntu-24_04-lts:server:latest");
    s.put("subnetId", SUBNET);
    s.put("sshPublicKey", SSH_KEY);
    s.put("endpoint", arm.endpoint());
    s.put("retryBaseDelay", "20ms");
    s.put("apiTimeout", "20s");
    return s;
  }

  private ServerProvider create(Map<String, String> settings, TokenCredential credential)
      throws ProviderException {
    return track(
        AzureProviderFactory.create(
            new ProviderContext(CONTROLLER, dataDir, settings, CLUSTER), credential));
  }

  private ServerProvider createWith(String key, String value) throws ProviderException {
    Map<String, String> s = settings();
    s.put(key, value);
    return create(s, EMULATOR_TOKEN);
  }

  // ---- provision ----

  @Test
  void aServerIsATaggedVmWhoseCustomDataStartsTheAgentWithItsToken() throws Exception {
    Map<String, String> s = settings();
    s.put("caFingerprint", "AB:".repeat(31) + "AB");
    ServerProvider p = create(s, EMULATOR_TOKEN);

    Server server = p.provision(request(1)).get(0);

    assertThat(server.nodeName()).matches("az-[0-9a-f]{8}");
    assertThat(server.kind()).isEqualTo("azure");
    assertThat(server.id())
        .isEqualTo(
            "/subscriptions/"
                + SUBSCRIPTION
                + "/resourceGroups/"
                + GROUP
                + "/providers/Microsoft.Compute/virtualMachines/"
                + server.nodeName());
    EmulatedVm vm = arm.vm(server.nodeName()).orElseThrow();
    assertThat(vm.tags())
        .containsEntry("drover-cluster", CLUSTER)
        .containsEntry("drover-node", server.nodeName())
        .containsEntry("drover-managed", "true")
        .containsEntry("drover-reason", "contract test");
    assertThat(vm.customDataScript())
        .isEqualTo(
            "#!/bin/sh\n"
                + "# Written by the Drover azure provider: starts the node agent "
                + server.nodeName()
                + ".\n"
                + "set -eu\n"
                + "export DROVER_CONTROLLER='10.0.0.10:7400'\n"
                + "export DROVER_NAME='"
                + server.nodeName()
                + "'\n"
                + "export DROVER_JOIN_TOKEN='token-123'\n"
                // The controller's minted token and its CA win over the configured ones.
                + "export DROVER_CA_FINGERPRINT='"
                + "cd".repeat(32)
                + "'\n"
                + "drover agent\n");
    assertThat(vm.resource.path("location").asText()).isEqualTo("westeurope");
    assertThat(vm.properties().path("hardwareProfile").path("vmSize").asText())
        .isEqualTo("Standard_D2s_v5");
    assertThat(vm.properties().path("storageProfile").path("imageReference").path("offer").asText())
        .isEqualTo("ubuntu-24_04-lts");
    assertThat(vm.properties().path("storageProfile").path("osDisk").path("deleteOption").asText())
        .isEqualTo("Delete");
    var nic = vm.properties().path("networkProfile").path("networkInterfaceConfigurations").get(0);
    assertThat(nic.path("properties").path("deleteOption").asText()).isEqualTo("Delete");
    assertThat(
            nic.path("properties")
                .path("ipConfigurations")
                .get(0)
                .path("properties")
                .path("subnet")
                .path("id")
                .asText())
        .isEqualTo(SUBNET);
    assertThat(
            vm.properties()
                .path("osProfile")
                .path("linuxConfiguration")
                .path("ssh")
                .path("publicKeys")
                .get(0)
                .path("keyData")
                .asText())
        .isEqualTo(SSH_KEY);
    assertThat(vm.properties().path("virtualMachineScaleSet").isMissingNode()).isTrue();
    Call put = arm.calls("PUT").get(0);
    assertThat(put.authorization()).isEqualTo("Bearer " + ArmEmulator.TOKEN);
    assertThat(put.apiVersion()).matches("\\d{4}-\\d{2}-\\d{2}");
  }

  @Test
  void scaleSetModeMakesEachVmAnInstanceOfTheScaleSet() throws Exception {
    arm.addScaleSet("drover-nodes");
    ServerProvider p = create(scaleSetSettings("drover-nodes"), EMULATOR_TOKEN);

    List<Server> servers = p.provision(request(2));

    for (Server server : servers) {
      assertThat(
              arm.vm(server.nodeName())
                  .orElseThrow()
                  .properties()
                  .path("virtualMachineScaleSet")
                  .path("id")
                  .asText())
          .isEqualTo(
              "/subscriptions/"
                  + SUBSCRIPTION
                  + "/resourceGroups/"
                  + GROUP
                  + "/providers/Microsoft.Compute/virtualMachineScaleSets/drover-nodes");
    }
    assertThat(p.list())
        .allSatisfy(s -> assertThat(s.details()).containsEntry("scaleSet", "drover-nodes"));
    p.release(servers.get(0));
    assertThat(liveServerIds()).containsExactly(servers.get(1).id());
  }

  @Test
  void aMissingScaleSetIsOtherWithAzuresMessageAndLeavesNothing() throws Exception {
    ServerProvider p = create(scaleSetSettings("nowhere"), EMULATOR_TOKEN);

    ProviderException e = failure(() -> p.provision(request(1)));

    assertThat(e.kind()).isEqualTo(Kind.OTHER);
    assertThat(e.getMessage())
        .startsWith("azure create VM az-")
        .contains(
            "ResourceNotFound: The Resource 'Microsoft.Compute/virtualMachineScaleSets/nowhere'"
                + " under resource group 'drover-rg' was not found. (HTTP 404)");
    assertThat(liveServerIds()).isEmpty();
  }

  private Map<String, String> scaleSetSettings(String name) {
    Map<String, String> s = settings();
    s.put("mode", "scaleSet");
    s.put("scaleSet", name);
    return s;
  }

  @Test
  void anImageResourceIdAndTheConfiguredTokenAreUsed() throws Exception {
    String image =
        "/subscriptions/"
            + SUBSCRIPTION
            + "/resourceGroups/images/providers/Microsoft.Compute/galleries/g/images/drover/versions/1.0.0";
    Map<String, String> s = settings();
    s.put("image", image);
    s.put("joinToken", "configured");
    s.put("installCommand", "curl -fsSL https://example.org/drover.sh | sh");
    ServerProvider p = create(s, EMULATOR_TOKEN);

    Server server = p.provision(new ProvisionRequest(1, 512, 500, "", "", "")).get(0);

    EmulatedVm vm = arm.vm(server.nodeName()).orElseThrow();
    assertThat(vm.properties().path("storageProfile").path("imageReference").path("id").asText())
        .isEqualTo(image);
    assertThat(vm.customDataScript())
        .contains("export DROVER_JOIN_TOKEN='configured'\n")
        .doesNotContain("DROVER_CA_FINGERPRINT")
        .endsWith("\ncurl -fsSL https://example.org/drover.sh | sh\n");
    assertThat(vm.tags()).doesNotContainKey("drover-reason");
  }

  @Test
  void maxServersIsAQuotaCheckedBeforeAnyCreation() throws Exception {
    ServerProvider p = createWith("maxServers", "2");
    p.provision(request(1));

    ProviderException e = failure(() -> p.provision(request(2)));

    assertThat(e.kind()).isEqualTo(Kind.QUOTA);
    assertThat(e.getMessage())
        .isEqualTo(
            "provider.azure.maxServers is 2: cluster blue has 1 servers and 2 more were asked for");
    assertThat(arm.calls("PUT")).hasSize(1);
  }

  // ---- list and release ----

  @Test
  void listFindsOnlyThisClustersManagedVmsAcrossPages() throws Exception {
    arm.seed(
        SUBSCRIPTION,
        GROUP,
        "green-1",
        Map.of("drover-cluster", "green", "drover-managed", "true"));
    arm.seed(SUBSCRIPTION, GROUP, "bastion", Map.of());
    arm.seed(
        SUBSCRIPTION, GROUP, "half", Map.of("drover-cluster", CLUSTER, "drover-managed", "false"));
    arm.seed(
        SUBSCRIPTION,
        GROUP,
        "az-00000000",
        Map.of("drover-cluster", CLUSTER, "drover-managed", "true", "drover-node", "az-00000000"));
    List<Server> provisioned = provider().provision(request(3));
    arm.pageSize(2);

    List<Server> listed = provider().list();

    assertThat(listed)
        .extracting(Server::nodeName)
        .containsExactlyInAnyOrder(
            "az-00000000",
            provisioned.get(0).nodeName(),
            provisioned.get(1).nodeName(),
            provisioned.get(2).nodeName());
    assertThat(arm.calls("GET").stream().filter(c -> c.path().endsWith("/virtualMachines")))
        .as("7 VMs in pages of 2, the first call included")
        .hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void releaseDeletesAndReleasingAGoneVmSucceeds() throws Exception {
    Server server = provider().provision(request(1)).get(0);

    provider().release(server);
    provider().release(server);

    assertThat(arm.vm(server.nodeName())).isEmpty();
    assertThat(arm.calls("DELETE"))
        .hasSize(2)
        .allSatisfy(c -> assertThat(c.path()).isEqualTo(server.id()));
  }

  // ---- errors ----

  @Test
  void throttlingHonoursRetryAfterAndGivesUpAfterThreeRetries() throws Exception {
    arm.throttle(Integer.MAX_VALUE);
    long started = System.nanoTime();

    ProviderException e = failure(() -> provider().list());

    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
    assertThat(arm.throttledAnswers()).isEqualTo(4);
    assertThat(elapsedMs).as("three waits of Retry-After: 1").isGreaterThanOrEqualTo(3000);
  }

  @Test
  void aTokenArmRefusesIsAuth() throws Exception {
    ServerProvider p =
        create(
            settings(),
            request -> Mono.just(new AccessToken("stale", OffsetDateTime.now().plusHours(1))));

    ProviderException e = failure(p::list);

    assertThat(e.kind()).isEqualTo(Kind.AUTH);
    assertThat(e.getMessage())
        .isEqualTo(
            "azure list VMs: InvalidAuthenticationToken: The access token is invalid. (HTTP 401)");
  }

  @Test
  void aCredentialThatCannotGetATokenIsAuth() throws Exception {
    ServerProvider p =
        create(
            settings(),
            request ->
                Mono.error(
                    new com.azure.identity.CredentialUnavailableException(
                        "DefaultAzureCredential failed to retrieve a token from the included"
                            + " credentials.")));

    ProviderException e = failure(p::list);

    assertThat(e.kind()).isEqualTo(Kind.AUTH);
    assertThat(e.getMessage())
        .startsWith("azure list VMs: no usable credential: DefaultAzureCredential failed");
    assertThat(arm.calls()).isEmpty();
  }

  // ---- settings and discovery ----

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "region | '' | provider.azure.region: missing",
        "region | West Europe | provider.azure.region: 'West Europe' is not a region",
        "subscriptionId | mine | provider.azure.subscriptionId: 'mine' is not a subscription id",
        "resourceGroup | '' | provider.azure.resourceGroup: missing",
        "mode | uniform | provider.azure.mode: 'uniform' is neither vm nor scaleSet",
        "mode | scaleSet | provider.azure.scaleSet: missing: mode is scaleSet",
        "scaleSet | set1 | provider.azure.scaleSet: set only with mode scaleSet",
        "image | ubuntu | provider.azure.image: 'ubuntu' is neither publisher:offer:sku:version",
        "subnetId | subnet-1 | provider.azure.subnetId: 'subnet-1' is not a subnet's resource id",
        "sshPublicKey | '' | provider.azure.sshPublicKey: missing",
        "endpoint | http://127.0.0.1:1 | provider.azure.endpoint: 'http://127.0.0.1:1' is not an https URL",
        "tenantId | contoso | provider.azure.tenantId: 'contoso' is not a tenant id",
        "maxServers | 0 | provider.azure.maxServers: '0' must be at least 1",
        "regoin | westeurope | provider.azure.regoin: unknown setting",
      })
  void aBadSettingIsConfigNamingItsKey(String key, String value, String expected) {
    ProviderException e = failure(() -> createWith(key, value));

    assertThat(e.kind()).isEqualTo(Kind.CONFIG);
    assertThat(e.getMessage()).contains(expected);
  }

  @Test
  void theFactoryIsFoundThroughServiceLoaderAndUsesTheDefaultChainLazily() throws Exception {
    ServerProviderFactory factory =
        ServiceLoader.load(ServerProviderFactory.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(f -> f.kind().equals("azure"))
            .findFirst()
            .orElseThrow();

    ServerProvider p =
        track(factory.create(new ProviderContext(CONTROLLER, dataDir, settings(), CLUSTER)));

    assertThat(p.kind()).isEqualTo("azure");
    assertThat(p.canProvision()).isTrue();
    assertThat(p.toString()).contains(GROUP).doesNotContain("token-123");
    assertThat(arm.calls()).as("creating the provider calls nothing").isEmpty();
  }
}
