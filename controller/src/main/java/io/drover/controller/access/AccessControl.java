package io.drover.controller.access;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.PermissionDeniedException;
import io.drover.common.errors.UnauthenticatedException;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.state.SharedDesiredState;
import io.drover.controller.state.StateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who may call what on the admin API: identifies callers from their token or client certificate,
 * checks their role against {@link MethodRoles}, issues tokens and records the audit trail.
 */
public final class AccessControl {
  /** The admin token written on first start, in the data dir. */
  public static final String ADMIN_TOKEN_FILE = "admin.token";

  private final boolean enabled;
  private final SharedDesiredState state;
  private final EventJournal events;
  private final Clock clock;

  /**
   * The tokens by sha256: a copy of the state's, so that checking a call never waits for the
   * state's lock (held through each fsync). Only this class adds tokens, and it updates the copy
   * after the state.
   */
  private volatile Map<String, StateCommand.AddToken> tokensBySha256;

  public AccessControl(
      boolean enabled, SharedDesiredState state, EventJournal events, Clock clock) {
    this.enabled = enabled;
    this.state = state;
    this.events = events;
    this.clock = clock;
    reloadTokens();
  }

  private void reloadTokens() {
    Map<String, StateCommand.AddToken> bySha = new java.util.HashMap<>();
    for (StateCommand.AddToken token : state.read(s -> s.tokens())) {
      bySha.put(token.sha256(), token);
    }
    tokensBySha256 = Map.copyOf(bySha);
  }

  private synchronized void record(StateCommand.AddToken token) {
    state.submit(token);
    reloadTokens();
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * Checks a call. Returns the caller's identity for a role-checked method; empty for methods that
   * need no role (health, and the agent-facing ones, which the agent join guards).
   *
   * @throws UnauthenticatedException no credentials, or ones that identify no one
   * @throws PermissionDeniedException the method is not in the table, or needs a higher role
   */
  public Optional<Identity> authorize(String method, Credentials credentials, String peer) {
    Optional<MethodRoles.Rule> found = MethodRoles.of(method);
    if (found.isEmpty()) {
      PermissionDeniedException denied =
          new PermissionDeniedException(
              shortName(method) + " is not in the access table; nobody may call it");
      audit(claimed(credentials), method, "PERMISSION_DENIED: " + denied.getMessage(), peer);
      throw denied;
    }
    MethodRoles.Rule rule = found.get();
    if (rule.caller() != MethodRoles.Caller.ROLE) {
      return Optional.empty();
    }
    if (!enabled) {
      return Optional.of(Identity.OPEN);
    }
    Identity identity;
    try {
      identity = identify(method, credentials);
    } catch (RuntimeException e) {
      if (rule.mutating()) {
        audit(claimed(credentials), method, outcome(e), peer);
      }
      throw e;
    }
    if (!identity.role().includes(rule.role())) {
      PermissionDeniedException denied =
          new PermissionDeniedException(
              shortName(method)
                  + " needs the "
                  + rule.role().label()
                  + " role; "
                  + identity.name()
                  + " has "
                  + identity.role().label());
      if (rule.mutating()) {
        audit(identity.name(), method, outcome(denied), peer);
      }
      throw denied;
    }
    return Optional.of(identity);
  }

  private static String outcome(RuntimeException e) {
    String code = e instanceof PermissionDeniedException ? "PERMISSION_DENIED" : "UNAUTHENTICATED";
    return code + ": " + e.getMessage();
  }

  /** Who a refused caller claimed to be, for the audit; not trusted for anything else. */
  private static String claimed(Credentials credentials) {
    if (credentials.bearerToken().isPresent()) {
      return "unknown-token";
    }
    return credentials.certificateSubject().map(s -> "certificate:" + s).orElse("anonymous");
  }

  private Identity identify(String method, Credentials credentials) {
    if (credentials.node().isPresent()
        && MethodRoles.of(method).map(MethodRoles.Rule::nodes).orElse(false)) {
      return new Identity("node/" + credentials.node().get(), Role.VIEWER, "node certificate");
    }
    if (credentials.bearerToken().isPresent()) {
      String hash = Tokens.sha256(credentials.bearerToken().get());
      StateCommand.AddToken token =
          Optional.ofNullable(tokensBySha256.get(hash))
              .orElseThrow(
                  () ->
                      new UnauthenticatedException(
                          shortName(method) + ": the token is not known to this controller"));
      return new Identity(token.name(), Role.parse("role", token.role()), "token");
    }
    if (credentials.certificateSubject().isPresent()) {
      return fromCertificate(method, credentials.certificateSubject().get());
    }
    throw new UnauthenticatedException(
        shortName(method)
            + " needs credentials: give a token (--token, DROVER_TOKEN or --token-file) or a"
            + " client certificate");
  }

  /**
   * A verified client certificate: its subject CN is the identity and its OU the role ({@code
   * viewer}, {@code operator} or {@code admin}). A certificate without such an OU (an agent's, say)
   * has no role on the admin API.
   */
  static Identity fromCertificate(String method, String subjectDn) {
    String cn = null;
    String ou = null;
    try {
      for (Rdn rdn : new LdapName(subjectDn).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = String.valueOf(rdn.getValue());
        } else if (rdn.getType().equalsIgnoreCase("OU")) {
          String value = String.valueOf(rdn.getValue());
          if (value.equals("viewer") || value.equals("operator") || value.equals("admin")) {
            ou = value;
          }
        }
      }
    } catch (InvalidNameException e) {
      throw new UnauthenticatedException(shortName(method) + ": unreadable certificate subject");
    }
    if (cn == null || cn.isBlank()) {
      throw new UnauthenticatedException(
          shortName(method) + ": the client certificate has no subject CN");
    }
    if (ou == null) {
      throw new PermissionDeniedException(
          shortName(method)
              + ": the client certificate of "
              + cn
              + " carries no role (OU=viewer, operator or admin)");
    }
    return new Identity(cn, Role.parse("OU", ou), "certificate");
  }

  /** Issues a token; returns it. It is stored only as its sha256, so show it now or never. */
  public String issue(String name, Role role) {
    String token = Tokens.generate();
    record(
        new StateCommand.AddToken(
            name, role.label(), Tokens.sha256(token), clock.instant().toEpochMilli()));
    return token;
  }

  /** Issues a token unless one of that name exists; returns it. */
  public synchronized String create(String name, Role role) {
    if (tokensBySha256.values().stream().anyMatch(t -> t.name().equals(name))) {
      throw new FailedPreconditionException(
          "a token named " + name + " exists; choose another name");
    }
    return issue(name, role);
  }

  /**
   * On first start with access control on, issues an {@code admin} token and writes it, readable
   * only by this user, to {@code dataDir/admin.token}. Returns the file when it wrote one.
   */
  public Optional<Path> bootstrapAdmin(Path dataDir) {
    if (!enabled || state.read(s -> s.tokens().stream().anyMatch(t -> t.role().equals("admin")))) {
      return Optional.empty();
    }
    Path file = dataDir.resolve(ADMIN_TOKEN_FILE);
    String token = Tokens.generate();
    try {
      Files.deleteIfExists(file);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      try (Writer out =
          Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
        out.write(token + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin token to " + file, e);
    }
    // Written before it is recorded: a crash between the two leaves a file that opens nothing,
    // and the next start writes a fresh one.
    record(
        new StateCommand.AddToken(
            "admin", "admin", Tokens.sha256(token), clock.instant().toEpochMilli()));
    return Optional.of(file);
  }

  /** Records a mutating call: who, what and how it ended. */
  public void audit(String identity, String method, String outcome, String peer) {
    events.publish(
        EventKind.AUDIT,
        "identity/" + identity,
        identity + " called " + shortName(method) + ": " + outcome,
        Map.of("identity", identity, "method", method, "outcome", outcome, "peer", peer));
  }

  /** {@code Control/ScaleService} for {@code drover.v1.Control/ScaleService}. */
  public static String shortName(String method) {
    int dot =
        method.lastIndexOf('.', method.indexOf('/') < 0 ? method.length() : method.indexOf('/'));
    return dot < 0 ? method : method.substring(dot + 1);
  }
}
