package io.drover.provider.ec2;

import io.drover.provider.ProviderException;
import io.drover.provider.SettingsReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings under {@code provider.ec2.}, checked all at once: every wrong key is named in the
 * one {@link ProviderException.Kind#CONFIG} error.
 *
 * @param launchTemplateId set when the template is given by id ({@code lt-...})
 * @param launchTemplateName set when the template is given by name
 */
record Ec2Settings(
    String region,
    Optional<String> launchTemplateId,
    Optional<String> launchTemplateName,
    String launchTemplateVersion,
    Optional<String> subnetId,
    Optional<String> instanceType,
    int maxServers,
    Optional<URI> endpoint,
    Optional<String> accessKeyId,
    Optional<String> secretAccessKey,
    String installCommand,
    Duration apiTimeout) {

  static final String PREFIX = "provider.ec2.";

  /**
   * Runs the agent from an AMI that carries the {@code drover} command; a real fleet names its own
   * installer instead (see the README).
   */
  static final String DEFAULT_INSTALL_COMMAND = "drover agent";

  static final Set<String> KEYS =
      Set.of(
          "region",
          "launchTemplate",
          "launchTemplateVersion",
          "subnetId",
          "instanceType",
          "maxServers",
          "endpoint",
          "accessKeyId",
          "secretAccessKey",
          "installCommand",
          "apiTimeout");

  private static final Pattern REGION = Pattern.compile("[a-z]{2,}(-[a-z0-9]+)+");
  private static final Pattern TEMPLATE_ID = Pattern.compile("lt-[0-9a-f]{8,17}");
  private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-zA-Z0-9().\\-/_]{3,128}");
  private static final Pattern TEMPLATE_VERSION = Pattern.compile("\\$Default|\\$Latest|[1-9]\\d*");
  private static final Pattern SUBNET = Pattern.compile("subnet-[0-9a-f]{8,17}");
  private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z0-9-]+\\.[a-z0-9-]+");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  static Ec2Settings parse(Map<String, String> settings) throws ProviderException {
    List<String> errors = new ArrayList<>();
    for (String key : new TreeSet<>(settings.keySet())) {
      if (!KEYS.contains(key)) {
        errors.add(PREFIX + key + ": unknown setting; known are " + new TreeSet<>(KEYS));
      }
    }
    SettingsReader in = new SettingsReader(PREFIX, settings, errors);

    String region = in.required("region");
    if (region != null && !REGION.matcher(region).matches()) {
      in.error("region", "'" + region + "' is not a region such as eu-west-1");
    }

    Optional<String> templateId = Optional.empty();
    Optional<String> templateName = Optional.empty();
    String template = in.required("launchTemplate");
    if (template != null) {
      if (TEMPLATE_ID.matcher(template).matches()) {
        templateId = Optional.of(template);
      } else if (template.startsWith("lt-") || !TEMPLATE_NAME.matcher(template).matches()) {
        in.error(
            "launchTemplate",
            "'"
                + template
                + "' is neither a launch template id (lt- and 8 to 17 hex digits) nor a name (3 to"
                + " 128 letters, digits and ( ) . - / _)");
      } else {
        templateName = Optional.of(template);
      }
    }

    String version = in.optional("launchTemplateVersion").orElse("$Default");
    if (!TEMPLATE_VERSION.matcher(version).matches()) {
      in.error(
          "launchTemplateVersion",
          "'" + version + "' is not $Default, $Latest or a version number");
    }

    Optional<String> subnet = in.optional("subnetId");
    subnet
        .filter(s -> !SUBNET.matcher(s).matches())
        .ifPresent(
            s -> in.error("subnetId", "'" + s + "' is not a subnet id such as subnet-0a1b2c3d"));

    Optional<String> instanceType = in.optional("instanceType");
    instanceType
        .filter(t -> !INSTANCE_TYPE.matcher(t).matches())
        .ifPresent(
            t -> in.error("instanceType", "'" + t + "' is not an instance type such as t3.large"));

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
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          in.error(
              "endpoint",
              "'" + endpointText.get() + "' is not an http or https URL such as https://host:443");
        } else {
          endpoint = Optional.of(uri);
        }
      } catch (URISyntaxException e) {
        in.error("endpoint", "'" + endpointText.get() + "' is not a URL: " + e.getMessage());
      }
    }

    Optional<String> accessKeyId = in.optional("accessKeyId");
    Optional<String> secretAccessKey = in.optional("secretAccessKey");
    if (accessKeyId.isPresent() && secretAccessKey.isEmpty()) {
      in.error("secretAccessKey", "missing: accessKeyId is set, so both are needed");
    } else if (secretAccessKey.isPresent() && accessKeyId.isEmpty()) {
      in.error("accessKeyId", "missing: secretAccessKey is set, so both are needed");
    }

    String installCommand = in.optional("installCommand").orElse(DEFAULT_INSTALL_COMMAND);
    if (installCommand.contains("\n") || installCommand.contains("\r")) {
      in.error("installCommand", "must be a single line");
    }

    Duration apiTimeout = Duration.ofSeconds(30);
    Optional<String> timeout = in.optional("apiTimeout");
    if (timeout.isPresent()) {
      Matcher m = DURATION.matcher(timeout.get());
      if (!m.matches()) {
        in.error(
            "apiTimeout", "'" + timeout.get() + "' is not a duration such as 500ms, 30s or 2m");
      } else {
        long amount = Long.parseLong(m.group(1));
        apiTimeout =
            switch (m.group(2)) {
              case "ms" -> Duration.ofMillis(amount);
              case "s" -> Duration.ofSeconds(amount);
              case "m" -> Duration.ofMinutes(amount);
              default -> Duration.ofHours(amount);
            };
        if (apiTimeout.compareTo(MIN_TIMEOUT) < 0 || apiTimeout.compareTo(MAX_TIMEOUT) > 0) {
          in.error("apiTimeout", "'" + timeout.get() + "' must be between 1s and 10m");
        }
      }
    }

    if (!errors.isEmpty()) {
      throw new ProviderException(ProviderException.Kind.CONFIG, String.join("; ", errors));
    }
    return new Ec2Settings(
        region,
        templateId,
        templateName,
        version,
        subnet,
        instanceType,
        maxServers,
        endpoint,
        accessKeyId,
        secretAccessKey,
        installCommand,
        apiTimeout);
  }

  /** The launch template as people name it: its id or its name. */
  String launchTemplate() {
    return launchTemplateId.or(() -> launchTemplateName).orElseThrow();
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "Ec2Settings[region="
        + region
        + ", launchTemplate="
        + launchTemplate()
        + ", launchTemplateVersion="
        + launchTemplateVersion
        + ", subnetId="
        + subnetId.orElse("(template's)")
        + ", instanceType="
        + instanceType.orElse("(template's)")
        + ", maxServers="
        + maxServers
        + ", endpoint="
        + endpoint.map(URI::toString).orElse("(AWS)")
        + ", credentials="
        + (accessKeyId.isPresent() ? "static " + accessKeyId.get() : "default chain")
        + ", apiTimeout="
        + apiTimeout
        + "]";
  }
}
