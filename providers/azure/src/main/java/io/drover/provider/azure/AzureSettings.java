package io.drover.provider.azure;

import io.drover.provider.AgentJoin;
import io.drover.provider.ProviderException;
import io.drover.provider.SettingsReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The settings under {@code provider.azure.}, checked all at once: every wrong key is named in the
 * one {@link ProviderException.Kind#CONFIG} error.
 *
 * @param scaleSet the Flexible scale set new VMs join; empty in {@code vm} mode
 * @param image {@code publisher:offer:sku:version}, or the resource id of an image or gallery image
 *     version
 */
record AzureSettings(
    String subscriptionId,
    String resourceGroup,
    String region,
    Optional<String> scaleSet,
    String image,
    String vmSize,
    String subnetId,
    String adminUsername,
    String sshPublicKey,
    int maxServers,
    Optional<URI> endpoint,
    Optional<String> tenantId,
    Optional<String> managedIdentityClientId,
    String installCommand,
    Duration apiTimeout,
    Duration retryBaseDelay,
    AgentJoin join) {

  static final String PREFIX = "provider.azure.";
  static final String DEFAULT_INSTALL_COMMAND = "drover agent";

  static final Set<String> KEYS;

  static {
    Set<String> keys =
        new HashSet<>(
            Set.of(
                "subscriptionId",
                "resourceGroup",
                "region",
                "mode",
                "scaleSet",
                "image",
                "vmSize",
                "subnetId",
                "adminUsername",
                "sshPublicKey",
                "maxServers",
                "endpoint",
                "tenantId",
                "managedIdentityClientId",
                "installCommand",
                "apiTimeout",
                "retryBaseDelay"));
    keys.addAll(AgentJoin.KEYS);
    KEYS = Set.copyOf(keys);
  }

  private static final Pattern GUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern RESOURCE_GROUP = Pattern.compile("[-\\w._()]{1,90}");
  private static final Pattern REGION = Pattern.compile("[a-z0-9]{3,40}");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][-a-zA-Z0-9._]{0,63}");
  private static final Pattern IMAGE_URN = Pattern.compile("[^:\\s]+:[^:\\s]+:[^:\\s]+:[^:\\s]+");
  private static final Pattern SUBNET =
      Pattern.compile(
          "/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+/subnets/[^/]+",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern VM_SIZE = Pattern.compile("[A-Za-z]+_[A-Za-z0-9_]+");
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

  static AzureSettings parse(Map<String, String> settings) throws ProviderException {
    List<String> errors = new ArrayList<>();
    for (String key : new TreeSet<>(settings.keySet())) {
      if (!KEYS.contains(key)) {
        errors.add(PREFIX + key + ": unknown setting; known are " + new TreeSet<>(KEYS));
      }
    }
    SettingsReader in = new SettingsReader(PREFIX, settings, errors);

    String subscription = in.required("subscriptionId");
    if (subscription != null && !GUID.matcher(subscription).matches()) {
      in.error("subscriptionId", "'" + subscription + "' is not a subscription id (a GUID)");
    }
    String group = in.required("resourceGroup");
    if (group != null && !RESOURCE_GROUP.matcher(group).matches()) {
      in.error("resourceGroup", "'" + group + "' is not a resource group name");
    }
    String region = in.required("region");
    if (region != null && !REGION.matcher(region).matches()) {
      in.error("region", "'" + region + "' is not a region such as westeurope");
    }

    String mode = in.optional("mode").orElse("vm");
    Optional<String> scaleSet = in.optional("scaleSet");
    if (mode.equals("scaleSet")) {
      if (scaleSet.isEmpty()) {
        in.error("scaleSet", "missing: mode is scaleSet");
      } else if (!NAME.matcher(scaleSet.get()).matches()) {
        in.error("scaleSet", "'" + scaleSet.get() + "' is not a scale set name");
      }
    } else if (mode.equals("vm")) {
      if (scaleSet.isPresent()) {
        in.error("scaleSet", "set only with mode scaleSet");
      }
    } else {
      in.error("mode", "'" + mode + "' is neither vm nor scaleSet");
    }

    String image = in.required("image");
    if (image != null
        && !image.startsWith("/subscriptions/")
        && !IMAGE_URN.matcher(image).matches()) {
      in.error(
          "image",
          "'" + image + "' is neither publisher:offer:sku:version nor an image's resource id");
    }
    String vmSize = in.optional("vmSize").orElse("Standard_D2s_v5");
    if (!VM_SIZE.matcher(vmSize).matches()) {
      in.error("vmSize", "'" + vmSize + "' is not a VM size such as Standard_D2s_v5");
    }
    String subnet = in.required("subnetId");
    if (subnet != null && !SUBNET.matcher(subnet).matches()) {
      in.error(
          "subnetId",
          "'"
              + subnet
              + "' is not a subnet's resource id"
              + " (/subscriptions/.../virtualNetworks/NET/subnets/SUBNET)");
    }
    String user = in.optional("adminUsername").orElse("drover");
    if (!USER.matcher(user).matches()) {
      in.error("adminUsername", "'" + user + "' is not a Linux user name");
    }
    String sshKey = in.required("sshPublicKey");
    if (sshKey != null && !(sshKey.startsWith("ssh-") || sshKey.startsWith("ecdsa-"))) {
      in.error("sshPublicKey", "not an OpenSSH public key (ssh-ed25519 AAAA..., ssh-rsa ...)");
    }

    int maxServers = 10;
    Optional<String> max = in.optional("maxServers");
    if (max.isPresent()) {
      try {
        maxServers = Integer.parseInt(max.get());
        if (maxServers < 1) {
          in.error("maxServers", "'" + max.get() + "' must be at least 1");
        }
      } catch (NumberFormatException e) {
        in.error("maxServers", "'" + max.get() + "' is not a whole number");
      }
    }

    Optional<URI> endpoint = Optional.empty();
    Optional<String> endpointText = in.optional("endpoint");
    if (endpointText.isPresent()) {
      try {
        URI uri = new URI(endpointText.get());
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
          in.error(
              "endpoint",
              "'"
                  + endpointText.get()
                  + "' is not an https URL (Azure sends tokens over https only)");
        } else {
          endpoint = Optional.of(uri);
        }
      } catch (URISyntaxException e) {
        in.error("endpoint", "'" + endpointText.get() + "' is not a URL: " + e.getMessage());
      }
    }
    Optional<String> tenant = in.optional("tenantId");
    tenant
        .filter(t -> !GUID.matcher(t).matches())
        .ifPresent(t -> in.error("tenantId", "'" + t + "' is not a tenant id (a GUID)"));
    Optional<String> identity = in.optional("managedIdentityClientId");
    identity
        .filter(t -> !GUID.matcher(t).matches())
        .ifPresent(
            t -> in.error("managedIdentityClientId", "'" + t + "' is not a client id (a GUID)"));

    String installCommand = in.optional("installCommand").orElse(DEFAULT_INSTALL_COMMAND);
    if (installCommand.contains("\n") || installCommand.contains("\r")) {
      in.error("installCommand", "must be a single line");
    }
    Duration apiTimeout = in.duration("apiTimeout", Duration.ofSeconds(60));
    Duration retryBaseDelay = in.duration("retryBaseDelay", Duration.ofMillis(800));

    AgentJoin join = AgentJoin.read(settings, PREFIX, errors);
    if (!errors.isEmpty()) {
      throw new ProviderException(ProviderException.Kind.CONFIG, String.join("; ", errors));
    }
    return new AzureSettings(
        subscription,
        group,
        region,
        scaleSet,
        image,
        vmSize,
        subnet,
        user,
        sshKey,
        maxServers,
        endpoint,
        tenant,
        identity,
        installCommand,
        apiTimeout,
        retryBaseDelay,
        join);
  }

  /** The scale set's resource id, in scaleSet mode. */
  Optional<String> scaleSetId() {
    return scaleSet.map(
        name ->
            "/subscriptions/"
                + subscriptionId
                + "/resourceGroups/"
                + resourceGroup
                + "/providers/Microsoft.Compute/virtualMachineScaleSets/"
                + name);
  }
}
