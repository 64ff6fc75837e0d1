package io.drover.controller.catalog;

import io.drover.common.errors.UnavailableException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog in PostgreSQL, one row per service and per profile (see docs/CATALOG.md for the
 * schema and why). Plain JDBC: a connection for each load and apply, and one kept by the watcher,
 * which polls a version number that a trigger bumps on every change, whoever makes it.
 */
public final class PostgresCatalogSource implements CatalogSource {
  private static final Logger log = LoggerFactory.getLogger(PostgresCatalogSource.class);
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final String jdbcUrl;
  private final Properties connectionProperties = new Properties();
  private final Duration pollInterval;
  private volatile Catalog lastReturned;
  private Poller poller;
  private Check check;
  private boolean closed;

  /**
   * Connects once to create the schema if it is missing.
   *
   * @param user null when the URL or the environment (PGUSER, .pgpass) names it
   * @param password null when not needed
   * @throws UnavailableException when the database cannot be reached
   */
  public PostgresCatalogSource(String jdbcUrl, String user, String password) {
    this(jdbcUrl, user, password, POLL_INTERVAL);
  }

  /** With a shorter poll interval, for tests. */
  PostgresCatalogSource(String jdbcUrl, String user, String password, Duration pollInterval) {
    this.jdbcUrl = jdbcUrl;
    this.pollInterval = pollInterval;
    if (user != null) {
      connectionProperties.setProperty("user", user);
    }
    if (password != null) {
      connectionProperties.setProperty("password", password);
    }
    // Defaults that the URL may override: never hang the controller on a dead database.
    connectionProperties.setProperty("connectTimeout", "10");
    connectionProperties.setProperty("socketTimeout", "60");
    connectionProperties.setProperty("ApplicationName", "drover-controller");
    try (Connection c = connect()) {
      PostgresCatalogSchema.create(c);
    } catch (SQLException e) {
      throw unavailable("cannot create the catalog tables", e);
    }
  }

  @Override
  public String describe() {
    return "postgres " + redact(jdbcUrl);
  }

  /** Passwords in the URL stay out of logs and errors. */
  static String redact(String url) {
    return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
  }

  @Override
  public Catalog load() {
    Catalog catalog = CatalogRows.toCatalog(readSnapshot().rows());
    lastReturned = catalog;
    return catalog;
  }

  @Override
  public Catalog apply(String yaml, String name) {
    CatalogParser.Parsed parsed = CatalogParser.parseDocument(name, yaml);
    CatalogRows.Rows rows = CatalogRows.toRows(parsed.tree());
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try {
        lockVersion(c);
        replaceRows(c, CatalogRows.PROFILE_TABLE, rows.profiles());
        replaceRows(c, CatalogRows.SERVICE_TABLE, rows.services());
        // Read back inside the transaction: what is committed is what was checked.
        Catalog stored = CatalogRows.toCatalog(readRows(c));
        if (!stored.contentHash().equals(parsed.catalog().contentHash())) {
          throw new IllegalStateException(
              "the catalog read back from the database differs from the one written");
        }
        c.commit();
        lastReturned = stored;
        return stored;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("cannot apply the catalog", e);
    }
  }

  @Override
  public synchronized void watch(CatalogListener listener) {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
    if (poller != null) {
      throw new IllegalStateException(describe() + " is already watched");
    }
    check = new Check(new ChangeNotifier(describe(), listener, Optional.ofNullable(lastReturned)));
    poller = new Poller("drover-catalog-postgres", pollInterval, check);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (poller != null) {
      poller.close();
      check.disconnect();
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, connectionProperties);
  }

  private UnavailableException unavailable(String what, SQLException e) {
    return new UnavailableException(describe() + ": " + what + ": " + e.getMessage(), e);
  }

  private record Snapshot(long version, CatalogRows.Rows rows) {}

  /** The version and every row as of one moment. */
  private Snapshot readSnapshot() {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      long version = version(c);
      CatalogRows.Rows rows = readRows(c);
      c.commit();
      return new Snapshot(version, rows);
    } catch (SQLException e) {
      throw unavailable("cannot read the catalog", e);
    }
  }

  private static long version(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT version FROM " + PostgresCatalogSchema.VERSION_TABLE)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Serializes applies: each takes the version row's lock, which the bump trigger needs too. */
  private static void lockVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version FROM " + PostgresCatalogSchema.VERSION_TABLE + " FOR UPDATE")) {
      rs.next();
    }
  }

  private static CatalogRows.Rows readRows(Connection c) throws SQLException {
    return new CatalogRows.Rows(
        readTable(c, CatalogRows.PROFILE_TABLE), readTable(c, CatalogRows.SERVICE_TABLE));
  }

  private static List<CatalogRows.Row> readTable(Connection c, String table) throws SQLException {
    List<CatalogRows.Row> rows = new ArrayList<>();
    // COLLATE "C": the same order whatever the database's locale.
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT name, spec FROM " + table + " ORDER BY name COLLATE \"C\"")) {
      while (rs.next()) {
        rows.add(new CatalogRows.Row(rs.getString(1), rs.getString(2)));
      }
    }
    return rows;
  }

  /** Deletes the rows not in {@code rows}; writes only the rows whose spec changed. */
  private static void replaceRows(Connection c, String table, List<CatalogRows.Row> rows)
      throws SQLException {
    Array names = c.createArrayOf("text", rows.stream().map(CatalogRows.Row::name).toArray());
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM " + table + " WHERE name <> ALL (?)")) {
      delete.setArray(1, names);
      delete.executeUpdate();
    } finally {
      names.free();
    }
    try (PreparedStatement upsert =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " (name, spec) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET spec ="
                + " EXCLUDED.spec WHERE "
                + table
                + ".spec IS DISTINCT FROM EXCLUDED.spec")) {
      for (CatalogRows.Row row : rows) {
        upsert.setString(1, row.name());
        upsert.setString(2, row.spec());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  /**
   * One tick of the watcher: a cheap read of the version on a kept connection, and a full read only
   * when it moved. While the database is unreachable the last good catalog stays in force; that is
   * logged once, not reported as an invalid catalog.
   */
  private final class Check implements Runnable {
    private final ChangeNotifier notifier;
    private Connection connection;
    private long seenVersion = -1;
    private boolean unreachable;

    Check(ChangeNotifier notifier) {
      this.notifier = notifier;
    }

    @Override
    public void run() {
      try {
        if (connection == null) {
          connection = connect();
        }
        if (version(connection) == seenVersion) {
          return;
        }
        Snapshot snapshot = readSnapshot();
        seenVersion = snapshot.version();
        reachable();
        try {
          notifier.observed(CatalogRows.toCatalog(snapshot.rows()));
        } catch (CatalogException e) {
          notifier.observed(e);
        }
      } catch (SQLException | UnavailableException e) {
        disconnect();
        if (!unreachable) {
          unreachable = true;
          log.warn(
              "{}: cannot read the catalog; the last good one stays in force: {}",
              describe(),
              e.getMessage());
        }
      }
    }

    private void reachable() {
      if (unreachable) {
        unreachable = false;
        log.info("{}: reachable again", describe());
      }
    }

    void disconnect() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          // Closing a broken connection: nothing left to do.
        }
        connection = null;
      }
    }
  }
}
