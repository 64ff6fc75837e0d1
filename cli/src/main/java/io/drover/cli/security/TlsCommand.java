package io.drover.cli.security;

import io.drover.common.security.CertificateAuthority;
import io.drover.common.security.KeyPairs;
import io.drover.common.security.Pem;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code drover tls init}: the cluster CA, the controller's certificate, an admin certificate. */
@Command(
    name = "tls",
    mixinStandardHelpOptions = true,
    description = "Cluster certificates.",
    subcommands = {TlsCommand.Init.class})
public final class TlsCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: init");
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Create the cluster CA (ca.crt, ca.key), the controller's server certificate"
              + " (controller.crt, controller.key) and an admin client certificate (admin.crt,"
              + " admin.key) in DIR, and print the CA fingerprint that agents pin. Key files are"
              + " mode 0600.")
  public static final class Init implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Where to write the files (default: /etc/drover/tls).")
    Path dir = Path.of("/etc/drover/tls");

    @Option(
        names = "--hosts",
        paramLabel = "HOST,...",
        split = ",",
        description =
            "Names and addresses agents and clients reach the controller by; localhost and"
                + " 127.0.0.1 are always added.")
    List<String> hosts = new ArrayList<>();

    @Option(
        names = "--key-type",
        paramLabel = "TYPE",
        description = "ec (P-256, the default) or rsa (3072 bits).")
    String keyType = "ec";

    @Option(
        names = "--ca-validity",
        paramLabel = "DAYS",
        description = "Lifetime of the CA in days (default: 3650).")
    int caDays = 3650;

    @Option(
        names = "--cert-validity",
        paramLabel = "DAYS",
        description = "Lifetime of the controller and admin certificates in days (default: 365).")
    int certDays = 365;

    @Option(names = "--force", description = "Replace an existing CA (every node must join again).")
    boolean force;

    @Override
    public Integer call() {
      KeyPairs.Algorithm algorithm;
      try {
        algorithm = KeyPairs.Algorithm.parse(keyType);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      if (caDays < 1 || certDays < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--ca-validity and --cert-validity must be at least 1 day");
      }
      if (CertificateAuthority.exists(dir) && !force) {
        throw new IllegalStateException(
            dir
                + " already holds a CA; keep it, or replace it with --force (every node then"
                + " has to join again)");
      }
      CertificateAuthority ca =
          CertificateAuthority.create("drover cluster CA", algorithm, Duration.ofDays(caDays));
      ca.write(dir);
      KeyPair server = KeyPairs.generate(algorithm);
      Pem.writePrivate(dir.resolve(CertificateAuthority.SERVER_KEY), server);
      Pem.writePublic(
          dir.resolve(CertificateAuthority.SERVER_CERT),
          Pem.encode(ca.issueServer(server.getPublic(), hosts, Duration.ofDays(certDays))));
      KeyPair admin = KeyPairs.generate(algorithm);
      Pem.writePrivate(dir.resolve(CertificateAuthority.ADMIN_KEY), admin);
      Pem.writePublic(
          dir.resolve(CertificateAuthority.ADMIN_CERT),
          Pem.encode(ca.issueAdmin(admin.getPublic(), "admin", Duration.ofDays(certDays))));
      var out = spec.commandLine().getOut();
      out.println("Cluster CA and certificates written to " + dir.toAbsolutePath() + ":");
      for (String file :
          new String[] {
            CertificateAuthority.CA_CERT,
            CertificateAuthority.CA_KEY,
            CertificateAuthority.SERVER_CERT,
            CertificateAuthority.SERVER_KEY,
            CertificateAuthority.ADMIN_CERT,
            CertificateAuthority.ADMIN_KEY
          }) {
        out.println("  " + file + (file.endsWith(".key") ? "  (mode 0600, keep it secret)" : ""));
      }
      out.println("CA fingerprint (sha256): " + ca.fingerprint());
      out.println(
          "The controller reads ca.crt, ca.key, controller.crt and controller.key from this dir"
              + " (tls.dir); agents join with --ca-fingerprint "
              + ca.fingerprint()
              + " and a token from drover token create.");
      return 0;
    }
  }
}
