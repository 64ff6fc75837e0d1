package io.drover.controller.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates the catalog's tables when they are missing. Safe when several controllers start at once:
 * the DDL runs in one transaction under an advisory lock.
 */
final class PostgresCatalogSchema {
  static final String VERSION_TABLE = "drover_catalog_version";

  /** "drover" in ASCII: the advisory lock that serializes schema creation. */
  private static final long LOCK_KEY = 0x64726f766572L;

  private static final List<String> DDL =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS drover_catalog_profile (
            name text PRIMARY KEY,
            spec text NOT NULL DEFAULT '',
            updated_at timestamptz NOT NULL DEFAULT now())""",
          """
          CREATE TABLE IF NOT EXISTS drover_catalog_service (
            name text PRIMARY KEY,
            spec text NOT NULL DEFAULT '',
            updated_at timestamptz NOT NULL DEFAULT now())""",
          """
          CREATE TABLE IF NOT EXISTS drover_catalog_version (
            id boolean PRIMARY KEY DEFAULT true CHECK (id),
            version bigint NOT NULL DEFAULT 0,
            changed_at timestamptz NOT NULL DEFAULT now())""",
          "INSERT INTO drover_catalog_version (id) VALUES (true) ON CONFLICT DO NOTHING",
          """
          CREATE OR REPLACE FUNCTION drover_catalog_touch() RETURNS trigger
          LANGUAGE plpgsql AS $$
          BEGIN
            NEW.updated_at := now();
            RETURN NEW;
          END $$""",
          """
          CREATE OR REPLACE FUNCTION drover_catalog_bump() RETURNS trigger
          LANGUAGE plpgsql AS $$
          BEGIN
            UPDATE drover_catalog_version SET version = version + 1, changed_at = now();
            RETURN NULL;
          END $$""");

  private PostgresCatalogSchema() {}

  static void create(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
      for (String ddl : DDL) {
        statement.execute(ddl);
      }
      for (String table : List.of(CatalogRows.PROFILE_TABLE, CatalogRows.SERVICE_TABLE)) {
        // Every row change stamps the row, so operators see when a service last changed.
        createTrigger(
            connection,
            table,
            "drover_catalog_touch",
            "BEFORE INSERT OR UPDATE ON " + table + " FOR EACH ROW");
        // Every statement, from the controller or from an operator's psql, bumps the version
        // that watchers poll; a statement trigger also sees DELETE and TRUNCATE.
        createTrigger(
            connection,
            table,
            "drover_catalog_bump",
            "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + table + " FOR EACH STATEMENT");
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /** CREATE OR REPLACE TRIGGER needs PostgreSQL 14; look first, to work from 11 on. */
  private static void createTrigger(Connection c, String table, String name, String when)
      throws SQLException {
    try (PreparedStatement exists =
        c.prepareStatement("SELECT 1 FROM pg_trigger WHERE tgrelid = ?::regclass AND tgname = ?")) {
      exists.setString(1, table);
      exists.setString(2, name);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (Statement create = c.createStatement()) {
      create.execute("CREATE TRIGGER " + name + " " + when + " EXECUTE PROCEDURE " + name + "()");
    }
  }
}
