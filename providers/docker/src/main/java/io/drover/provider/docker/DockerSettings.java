package io.drover.provider.docker;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings under {@code provider.docker.}, checked all at once: every wrong key is named in the
 * one {@link ProviderException.Kind#CONFIG} error.
 *
 * @param host the Docker host: {@code unix:///var/run/docker.sock} or {@code tcp://host:2376}
 * @param tlsVerify whether to speak TLS to a tcp host with the client certificate in certPath
 * @param firstPort the first host port of the range split between the servers
 * @param portsPerServer how many ports each server's slice has
 * @param advertiseAddress the address callers reach the published ports at; empty to let the agent
 *     be seen as the controller sees it
 */
record DockerSettings(
    URI host,
    boolean tlsVerify,
    Optional<String> certPath,
    String apiVersion,
    String image,
    Optional<String> network,
    int firstPort,
    int portsPerServer,
    int maxServers,
    Optional<String> advertiseAddress,
    Duration apiTimeout,
    Duration retryBaseDelay,
    AgentJoin join) {

  static final String PREFIX = "provider.docker.";
  static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  static final Set<String> KEYS;

  static {
    Set<String> keys =
        new HashSet<>(
            Set.of(
                "host",
                "tlsVerify",
                "certPath",
                "apiVersion",
                "image",
                "network",
                "ports",
                "maxServers",
                "advertiseAddress",
                "apiTimeout",
                "retryBaseDelay"));
    keys.addAll(AgentJoin.KEYS);
    KEYS = Set.copyOf(keys);
  }

  private static final Pattern PORTS = Pattern.compile("(\\d{1,5})-(\\d{1,5})");
  private static final Pattern API_VERSION = Pattern.compile("1\\.\\d{2}");

  /**
   * @param environment DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH fill in what the
   *     settings leave out, as they do for the docker command
   */
  static DockerSettings parse(Map<String, String> settings, Map<String, String> environment)
      throws ProviderException {
    List<String> errors = new ArrayList<>();
    for (String key : new TreeSet<>(settings.keySet())) {
      if (!KEYS.contains(key)) {
        errors.add(PREFIX + key + ": unknown setting; known are " + new TreeSet<>(KEYS));
      }
    }
    SettingsReader in = new SettingsReader(PREFIX, settings, errors);

    String hostText =
        in.optional("host")
            .or(() -> Optional.ofNullable(environment.get("DOCKER_HOST")).filter(h -> !h.isBlank()))
            .orElse(DEFAULT_HOST);
    URI host = null;
    try {
      host = new URI(hostText);
      boolean unix = "unix".equals(host.getScheme()) && host.getPath() != null;
      boolean tcp = "tcp".equals(host.getScheme()) && host.getHost() != null && host.getPort() > 0;
      if (!unix && !tcp) {
        in.error("host", "'" + hostText + "' is neither unix:///PATH nor tcp://HOST:PORT");
      }
    } catch (URISyntaxException e) {
      in.error("host", "'" + hostText + "' is not a URI: " + e.getMessage());
    }

    String tlsText =
        in.optional("tlsVerify")
            .orElse(Optional.ofNullable(environment.get("DOCKER_TLS_VERIFY")).orElse("false"));
    boolean tlsVerify = tlsText.equals("1") || tlsText.equalsIgnoreCase("true");
    if (!tlsVerify && !(tlsText.isEmpty() || tlsText.equals("0") || tlsText.equals("false"))) {
      in.error("tlsVerify", "'" + tlsText + "' is neither true nor false");
    }
    Optional<String> certPath =
        in.optional("certPath")
            .or(
                () ->
                    Optional.ofNullable(environment.get("DOCKER_CERT_PATH"))
                        .filter(p -> !p.isBlank()));
    if (tlsVerify && certPath.isEmpty()) {
      in.error("certPath", "missing: tlsVerify is on, so the client certificate's directory is");
    }
    if (tlsVerify && host != null && !"tcp".equals(host.getScheme())) {
      in.error("tlsVerify", "TLS needs a tcp:// host");
    }

    String apiVersion = in.optional("apiVersion").orElse("1.41");
    if (!API_VERSION.matcher(apiVersion).matches()) {
      in.error("apiVersion", "'" + apiVersion + "' is not an Engine API version such as 1.41");
    }

    String image = in.required("image");
    if (image != null && (image.contains(" ") || image.startsWith("-"))) {
      in.error("image", "'" + image + "' is not an image reference");
    }
    Optional<String> network = in.optional("network");

    int maxServers = in.positive("maxServers", 4);
    int firstPort = 0;
    int portsPerServer = 0;
    String ports = in.optional("ports").orElse("20000-20399");
    Matcher m = PORTS.matcher(ports);
    if (!m.matches()) {
      in.error("ports", "'" + ports + "' is not a range such as 20000-20399");
    } else {
      int first = Integer.parseInt(m.group(1));
      int last = Integer.parseInt(m.group(2));
      if (first < 1024 || last > 65535 || last < first) {
        in.error("ports", "'" + ports + "' must lie within 1024-65535, lowest first");
      } else if ((last - first + 1) < maxServers) {
        in.error("ports", ports + " has fewer ports than maxServers " + maxServers);
      } else {
        firstPort = first;
        portsPerServer = (last - first + 1) / maxServers;
      }
    }

    Optional<String> advertise = in.optional("advertiseAddress");
    if (advertise.isEmpty() && host != null && "tcp".equals(host.getScheme())) {
      advertise = Optional.of(host.getHost());
    }

    Duration apiTimeout = in.duration("apiTimeout", Duration.ofSeconds(30));
    Duration retryBaseDelay = in.duration("retryBaseDelay", Duration.ofMillis(500));

    AgentJoin join = AgentJoin.read(settings, PREFIX, errors);
    if (!errors.isEmpty()) {
      throw new ProviderException(ProviderException.Kind.CONFIG, String.join("; ", errors));
    }
    return new DockerSettings(
        host,
        tlsVerify,
        certPath,
        apiVersion,
        image,
        network,
        firstPort,
        portsPerServer,
        maxServers,
        advertise,
        apiTimeout,
        retryBaseDelay,
        join);
  }

  /** The host ports of slot {@code slot} (0-based), as {@code FIRST-LAST}. */
  String slice(int slot) {
    int first = firstPort + slot * portsPerServer;
    return first + "-" + (first + portsPerServer - 1);
  }
}
