package io.drover.provider.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.SubResource;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.compute.fluent.VirtualMachinesClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.DeleteOptions;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.DiskDeleteOptionTypes;
import com.azure.resourcemanager.compute.models.HardwareProfile;
import com.azure.resourcemanager.compute.models.ImageReference;
import com.azure.resourcemanager.compute.models.LinuxConfiguration;
import com.azure.resourcemanager.compute.models.NetworkApiVersion;
import com.azure.resourcemanager.compute.models.NetworkProfile;
import com.azure.resourcemanager.compute.models.OSDisk;
import com.azure.resourcemanager.compute.models.OSProfile;
import com.azure.resourcemanager.compute.models.SshConfiguration;
import com.azure.resourcemanager.compute.models.SshPublicKey;
import com.azure.resourcemanager.compute.models.StorageProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineNetworkInterfaceConfiguration;
import com.azure.resourcemanager.compute.models.VirtualMachineNetworkInterfaceIpConfiguration;
import com.azure.resourcemanager.compute.models.VirtualMachineSizeTypes;
import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Servers as Azure virtual machines, each created alone or as an instance of a Flexible scale set.
 * Every VM it creates carries the tags {@code drover-cluster}, {@code drover-node} and {@code
 * drover-managed=true}; {@link #list} finds them by those tags alone, so that a restarted
 * controller sees what an earlier one created. The agent learns the controller's address, its node
 * name and the join token from the VM's custom data ({@link CustomData}), which cloud-init runs.
 */
public final class AzureServerProvider implements ServerProvider {
  public static final String KIND = "azure";
  static final String TAG_CLUSTER = "drover-cluster";
  static final String TAG_NODE = "drover-node";
  static final String TAG_MANAGED = "drover-managed";
  static final String TAG_REASON = "drover-reason";
  static final int MAX_RETRIES = 3;

  private static final Logger log = LoggerFactory.getLogger(AzureServerProvider.class);
  private static final int MAX_TAG_VALUE = 256;
  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final ProviderContext context;
  private final AzureSettings settings;
  private final VirtualMachinesClient vms;
  private final SecureRandom random = new SecureRandom();

  AzureServerProvider(ProviderContext context, AzureSettings settings, TokenCredential credential) {
    this.context = context;
    this.settings = settings;
    this.vms = client(settings, credential);
  }

  private static VirtualMachinesClient client(AzureSettings settings, TokenCredential credential) {
    Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    settings.endpoint().ifPresent(e -> endpoints.put("resourceManagerEndpointUrl", e.toString()));
    AzureProfile profile =
        new AzureProfile(
            settings.tenantId().orElse(null),
            settings.subscriptionId(),
            new AzureEnvironment(endpoints));
    Duration connect =
        settings.apiTimeout().compareTo(MAX_CONNECT_TIMEOUT) < 0
            ? settings.apiTimeout()
            : MAX_CONNECT_TIMEOUT;
    return ComputeManager.configure()
        .withHttpClient(
            new JdkHttpClientBuilder(HttpClient.newBuilder())
                .connectionTimeout(connect)
                .responseTimeout(settings.apiTimeout())
                .readTimeout(settings.apiTimeout())
                .build())
        // Exponential backoff with jitter on 408, 429 and 5xx; Retry-After is honoured.
        .withRetryOptions(
            new RetryOptions(
                new ExponentialBackoffOptions()
                    .setMaxRetries(MAX_RETRIES)
                    .setBaseDelay(settings.retryBaseDelay())
                    .setMaxDelay(Duration.ofSeconds(30))))
        .authenticate(credential, profile)
        .serviceClient()
        .getVirtualMachines();
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
   * One VM per server; this returns once Azure has accepted each creation, without waiting for the
   * VMs to boot. If one fails, the VMs this call already asked for are deleted before the error is
   * thrown. Synchronized so that two requests cannot both pass the {@code maxServers} check.
   */
  @Override
  public synchronized List<Server> provision(ProvisionRequest request) throws ProviderException {
    List<Server> existing = list();
    ProviderException.checkMaxServers(
        AzureSettings.PREFIX,
        settings.maxServers(),
        context.clusterName(),
        existing.size(),
        request.count());
    List<Server> created = new ArrayList<>();
    try {
      for (int n = 0; n < request.count(); n++) {
        created.add(create(request));
      }
      return created;
    } catch (ProviderException e) {
      throw withCleanUp(e, created, request.count());
    }
  }

  private Server create(ProvisionRequest request) throws ProviderException {
    String name = "az-" + HexFormat.of().formatHex(random.generateSeed(4));
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_CLUSTER, context.clusterName());
    tags.put(TAG_NODE, name);
    tags.put(TAG_MANAGED, "true");
    if (!request.reason().isBlank()) {
      String reason = request.reason();
      tags.put(
          TAG_REASON,
          reason.length() > MAX_TAG_VALUE ? reason.substring(0, MAX_TAG_VALUE) : reason);
    }
    String script =
        CustomData.script(
            name,
            settings.join().environment(context.controllerAddress(), name, request),
            settings.installCommand());
    VirtualMachineInner vm =
        new VirtualMachineInner()
            .withLocation(settings.region())
            .withTags(tags)
            .withHardwareProfile(
                new HardwareProfile()
                    .withVmSize(VirtualMachineSizeTypes.fromString(settings.vmSize())))
            .withStorageProfile(
                new StorageProfile()
                    .withImageReference(image(settings.image()))
                    .withOsDisk(
                        new OSDisk()
                            .withCreateOption(DiskCreateOptionTypes.FROM_IMAGE)
                            .withDeleteOption(DiskDeleteOptionTypes.DELETE)))
            .withOsProfile(
                new OSProfile()
                    .withComputerName(name)
                    .withAdminUsername(settings.adminUsername())
                    .withCustomData(CustomData.base64(script))
                    .withLinuxConfiguration(
                        new LinuxConfiguration()
                            .withDisablePasswordAuthentication(true)
                            .withSsh(
                                new SshConfiguration()
                                    .withPublicKeys(
                                        List.of(
                                            new SshPublicKey()
                                                .withPath(
                                                    "/home/"
                                                        + settings.adminUsername()
                                                        + "/.ssh/authorized_keys")
                                                .withKeyData(settings.sshPublicKey()))))))
            .withNetworkProfile(
                new NetworkProfile()
                    .withNetworkApiVersion(NetworkApiVersion.fromString("2020-11-01"))
                    .withNetworkInterfaceConfigurations(
                        List.of(
                            new VirtualMachineNetworkInterfaceConfiguration()
                                .withName(name + "-nic")
                                .withPrimary(true)
                                .withDeleteOption(DeleteOptions.DELETE)
                                .withIpConfigurations(
                                    List.of(
                                        new VirtualMachineNetworkInterfaceIpConfiguration()
                                            .withName(name + "-ip")
                                            .withPrimary(true)
                                            .withSubnet(
                                                new SubResource().withId(settings.subnetId())))))));
    settings
        .scaleSetId()
        .ifPresent(id -> vm.withVirtualMachineScaleSet(new SubResource().withId(id)));

    // The poller sends the PUT when it is made; Azure has accepted the VM once it returns, and the
    // minutes until it runs are not waited for: the agent joining is what the controller waits for.
    call("create VM " + name, () -> vms.beginCreateOrUpdate(settings.resourceGroup(), name, vm));
    String id = resourceId(name);
    log.info("asked Azure for VM {} ({})", name, id);
    return server(id, name, vm);
  }

  private String resourceId(String name) {
    return "/subscriptions/"
        + settings.subscriptionId()
        + "/resourceGroups/"
        + settings.resourceGroup()
        + "/providers/Microsoft.Compute/virtualMachines/"
        + name;
  }

  private static ImageReference image(String image) {
    if (image.startsWith("/subscriptions/")) {
      return new ImageReference().withId(image);
    }
    String[] urn = image.split(":");
    return new ImageReference()
        .withPublisher(urn[0])
        .withOffer(urn[1])
        .withSku(urn[2])
        .withVersion(urn[3]);
  }

  private Server server(String id, String name, VirtualMachineInner vm) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("resourceGroup", settings.resourceGroup());
    details.put("region", vm.location() == null ? settings.region() : vm.location());
    if (vm.hardwareProfile() != null && vm.hardwareProfile().vmSize() != null) {
      details.put("vmSize", vm.hardwareProfile().vmSize().toString());
    }
    if (vm.provisioningState() != null) {
      details.put("provisioningState", vm.provisioningState());
    }
    if (vm.virtualMachineScaleSet() != null && vm.virtualMachineScaleSet().id() != null) {
      String set = vm.virtualMachineScaleSet().id();
      details.put("scaleSet", set.substring(set.lastIndexOf('/') + 1));
    }
    Instant created = vm.timeCreated() == null ? Instant.now() : vm.timeCreated().toInstant();
    return new Server(id, KIND, name, created, details);
  }

  private ProviderException withCleanUp(ProviderException e, List<Server> created, int asked) {
    if (created.isEmpty()) {
      return e;
    }
    List<String> left = new ArrayList<>();
    ProviderException cleanUpFailure = null;
    for (Server server : created) {
      try {
        release(server);
      } catch (ProviderException failure) {
        left.add(server.nodeName());
        cleanUpFailure = failure;
      }
    }
    String names = created.stream().map(Server::nodeName).toList().toString();
    String message =
        left.isEmpty()
            ? e.getMessage()
                + "; deleted the "
                + created.size()
                + " of the "
                + asked
                + " requested servers already created "
                + names
            : e.getMessage()
                + "; could not delete "
                + left
                + " ("
                + cleanUpFailure.getMessage()
                + "): they carry "
                + TAG_CLUSTER
                + "="
                + context.clusterName()
                + " and are found by list()";
    return new ProviderException(e.kind(), message, e);
  }

  /**
   * Asks Azure to delete the VM with its OS disk and network interface (they were created with
   * delete option Delete); in scaleSet mode that removes the scale set's instance. A VM Azure no
   * longer knows counts as released.
   */
  @Override
  public void release(Server server) throws ProviderException {
    String name = server.id().substring(server.id().lastIndexOf('/') + 1);
    try {
      call(
          "delete VM " + name,
          () -> {
            vms.beginDelete(settings.resourceGroup(), name);
            return null;
          });
    } catch (ProviderException e) {
      if (!AzureErrors.isNotFound(e.getCause())) {
        throw e;
      }
    }
  }

  /** Every VM in the resource group with this cluster's tags that is not being deleted. */
  @Override
  public List<Server> list() throws ProviderException {
    return call(
        "list VMs",
        () -> {
          List<Server> servers = new ArrayList<>();
          for (VirtualMachineInner vm : vms.listByResourceGroup(settings.resourceGroup())) {
            Map<String, String> tags = vm.tags() == null ? Map.of() : vm.tags();
            if (!context.clusterName().equals(tags.get(TAG_CLUSTER))
                || !"true".equals(tags.get(TAG_MANAGED))
                || "Deleting".equalsIgnoreCase(vm.provisioningState())) {
              continue;
            }
            servers.add(server(vm.id(), tags.getOrDefault(TAG_NODE, vm.name()), vm));
          }
          return servers;
        });
  }

  private <T> T call(String what, Supplier<T> call) throws ProviderException {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw AzureErrors.map(what, e);
    }
  }

  /** The SDK keeps no connection or thread of this provider's own: nothing to stop. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "AzureServerProvider[subscription="
        + settings.subscriptionId()
        + ", resourceGroup="
        + settings.resourceGroup()
        + ", region="
        + settings.region()
        + ", scaleSet="
        + settings.scaleSet().orElse("(none: single VMs)")
        + ", cluster="
        + context.clusterName()
        + ", join="
        + settings.join()
        + "]";
  }
}
