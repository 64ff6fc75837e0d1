package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real PostgreSQL 14, from zonky's embedded binaries. PostgreSQL refuses to run as root;
 * when the build runs as root (CI does), zonky starts initdb and postgres under {@code unshare -U},
 * a user namespace in which the process is the unprivileged {@code nobody}. That needs the {@code
 * unshare} command and a user for uid 65534; without them the tests are skipped, saying why.
 */
class PostgresCatalogSourceTest {
  private static final Duration FAST = Duration.ofMillis(50);
  private static final Duration PATIENCE = Duration.ofSeconds(15);
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static EmbeddedPostgres postgres;

  private String url;
  private String database;
  private final List<AutoCloseable> opened = new ArrayList<>();

  static final String CATALOG =
      """
      profiles:
        small: {heapMb: 64}
      services:
        - name: hello
          artifact: {path: hello.jar}
          entry: x.Hello
          profile: small
          replicas: {min: 1, max: 4}
        - name: world
          artifact: {path: world.jar}
          entry: x.World
      """;

  @BeforeAll
  static void startPostgres() throws IOException {
    assumeTrue(PostgresForTests.canRun(), PostgresForTests.whyNot());
    postgres = PostgresForTests.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void createDatabase() throws SQLException {
    database = "catalog_test_" + DATABASES.incrementAndGet();
    sql("postgres", "CREATE DATABASE " + database);
    url = postgres.getJdbcUrl("postgres", database);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    sql("postgres", "DROP DATABASE " + database + " WITH (FORCE)");
  }

  private PostgresCatalogSource source() {
    PostgresCatalogSource source = new PostgresCatalogSource(url, "postgres", null, FAST);
    opened.add(source);
    return source;
  }

  private void sql(String statement) throws SQLException {
    sql(database, statement);
  }

  private static void sql(String db, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres", db));
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private Map<String, String> rows(String table) throws SQLException {
    Map<String, String> rows = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, spec FROM " + table + " ORDER BY name")) {
      while (rs.next()) {
        rows.put(rs.getString(1), rs.getString(2));
      }
    }
    return rows;
  }

  private long version() throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version FROM drover_catalog_version")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int minReplicas(Catalog catalog) {
    return catalog.service("hello").orElseThrow().replicas().min();
  }

  @Test
  void startsEmptyAndRoundTripsACatalog() throws SQLException {
    PostgresCatalogSource source = source();
    assertThat(source.load()).isEqualTo(Catalog.empty());
    assertThat(source.describe()).isEqualTo("postgres " + url);

    Catalog applied = source.apply(CATALOG, "catalog.yaml");

    assertThat(applied).isEqualTo(CatalogParser.parse("catalog.yaml", CATALOG));
    assertThat(source.load()).isEqualTo(applied);
    assertThat(rows("drover_catalog_profile")).containsExactly(Map.entry("small", "heapMb: 64\n"));
    assertThat(rows("drover_catalog_service"))
        .containsExactly(
            Map.entry(
                "hello",
                "artifact:\n  path: hello.jar\nentry: x.Hello\nprofile: small\n"
                    + "replicas:\n  min: 1\n  max: 4\n"),
            Map.entry("world", "artifact:\n  path: world.jar\nentry: x.World\n"));
  }

  @Test
  void applyRemovesWhatTheNewCatalogLeavesOut() throws SQLException {
    PostgresCatalogSource source = source();
    source.apply(CATALOG, "catalog.yaml");

    Catalog applied =
        source.apply(
            "services:\n  - {name: world, artifact: {path: world.jar}, entry: x.World}\n", "v2");

    assertThat(applied.services()).extracting(ServiceSpec::name).containsExactly("world");
    assertThat(rows("drover_catalog_service")).containsOnlyKeys("world");
    assertThat(rows("drover_catalog_profile")).isEmpty();
  }

  @Test
  void anInvalidApplyChangesNothing() throws SQLException {
    PostgresCatalogSource source = source();
    source.apply(CATALOG, "catalog.yaml");
    Map<String, String> before = rows("drover_catalog_service");
    long version = version();

    assertThatThrownBy(() -> source.apply(CATALOG.replace("max: 4", "max: 0"), "edited.yaml"))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "edited.yaml:8:29: services[hello].replicas.max: must be at least min (1),"
                            + " not 0"));

    assertThat(rows("drover_catalog_service")).isEqualTo(before);
    assertThat(version()).isEqualTo(version);
  }

  @Test
  void watchSeesChangesMadeWithPlainSql() throws SQLException {
    PostgresCatalogSource source = source();
    source.apply(CATALOG, "catalog.yaml");
    RecordingListener listener = new RecordingListener();
    source.watch(listener);

    sql(
        "UPDATE drover_catalog_service SET spec = replace(spec, 'min: 1', 'min: 3')"
            + " WHERE name = 'hello'");

    await().atMost(PATIENCE).until(() -> listener.changes.size() == 1);
    assertThat(minReplicas(listener.lastChange())).isEqualTo(3);

    sql(
        "INSERT INTO drover_catalog_service (name, spec) VALUES"
            + " ('extra', E'artifact: {path: extra.jar}\\nentry: x.Extra\\n')");

    await().atMost(PATIENCE).until(() -> listener.changes.size() == 2);
    assertThat(listener.lastChange().service("extra")).isPresent();

    sql("DELETE FROM drover_catalog_service WHERE name = 'world'");

    await().atMost(PATIENCE).until(() -> listener.changes.size() == 3);
    assertThat(listener.lastChange().services())
        .extracting(ServiceSpec::name)
        .containsExactly("extra", "hello");
    assertThat(listener.problems).isEmpty();
    assertThat(listener.threads).containsOnly("drover-catalog-postgres");
  }

  @Test
  void anInvalidSqlChangeIsReportedWithItsRowAndTheLastGoodCatalogStays() throws SQLException {
    PostgresCatalogSource source = source();
    source.apply(CATALOG, "catalog.yaml");
    RecordingListener listener = new RecordingListener();
    try (LiveCatalog live = LiveCatalog.start(source, listener)) {
      Catalog good = live.current();

      sql(
          "UPDATE drover_catalog_service SET spec = replace(spec, 'max: 4', 'max: 0')"
              + " WHERE name = 'hello'");

      await().atMost(PATIENCE).until(() -> listener.problems.size() == 1);
      assertThat(listener.problems.get(0).problems())
          .containsExactly(
              "drover_catalog_service[hello].spec:7:8: services[hello].replicas.max: must be at"
                  + " least min (1), not 0");
      assertThat(live.current()).isSameAs(good);
      assertThatThrownBy(source::load).isInstanceOf(CatalogException.class);

      sql(
          "UPDATE drover_catalog_service SET spec = replace(spec, 'max: 0', 'max: 2')"
              + " WHERE name = 'hello'");

      await().atMost(PATIENCE).until(() -> listener.changes.size() == 1);
      assertThat(live.current().service("hello").orElseThrow().replicas().max()).isEqualTo(2);
      assertThat(live.problem()).isEmpty();
    }
  }

  @Test
  void severalSourcesShareOneSchema() {
    PostgresCatalogSource first = source();
    PostgresCatalogSource second = source();

    first.apply(CATALOG, "catalog.yaml");

    assertThat(second.load()).isEqualTo(first.load());
  }
}
