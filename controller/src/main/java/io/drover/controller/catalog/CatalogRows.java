package io.drover.controller.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The catalog as database rows, one per profile and one per service, each holding the YAML of its
 * body (everything but the name, which is the row's key). Each row is parsed as its own document,
 * so a problem names the row and the line within it: {@code drover_catalog_service[hello].spec:3:8:
 * services[hello].replicas.min: ...}.
 */
final class CatalogRows {
  static final String PROFILE_TABLE = "drover_catalog_profile";
  static final String SERVICE_TABLE = "drover_catalog_service";

  record Row(String name, String spec) {}

  record Rows(List<Row> profiles, List<Row> services) {
    Rows {
      profiles = List.copyOf(profiles);
      services = List.copyOf(services);
    }
  }

  private CatalogRows() {}

  /**
   * Splits a valid catalog's tree into rows, keeping what the operator wrote (not the defaults).
   */
  static Rows toRows(YamlNode.Mapping tree) {
    List<Row> profiles = new ArrayList<>();
    List<Row> services = new ArrayList<>();
    for (YamlNode.Entry section : tree.entries()) {
      if (section.key().equals("profiles") && section.value() instanceof YamlNode.Mapping m) {
        for (YamlNode.Entry profile : m.entries()) {
          profiles.add(new Row(profile.key(), body(profile.value())));
        }
      }
      if (section.key().equals("services") && section.value() instanceof YamlNode.Sequence s) {
        for (YamlNode item : s.items()) {
          YamlNode.Mapping service = (YamlNode.Mapping) item;
          String name = "";
          List<YamlNode.Entry> rest = new ArrayList<>();
          for (YamlNode.Entry e : service.entries()) {
            if (e.key().equals("name")) {
              name = ((YamlNode.Scalar) e.value()).text();
            } else {
              rest.add(e);
            }
          }
          services.add(new Row(name, body(new YamlNode.Mapping(service.position(), rest))));
        }
      }
    }
    return new Rows(profiles, services);
  }

  private static String body(YamlNode node) {
    boolean empty =
        (node instanceof YamlNode.Scalar s && s.isNull())
            || (node instanceof YamlNode.Mapping m && m.entries().isEmpty());
    return empty ? "" : YamlTreeWriter.write(node);
  }

  /** Joins the rows into one catalog and checks it; throws every problem of every row. */
  static Catalog toCatalog(Rows rows) {
    Problems problems = new Problems();
    Position database = Position.wholeSource("database");
    List<YamlNode.Entry> profiles = new ArrayList<>();
    for (Row row : rows.profiles()) {
      String rowName = PROFILE_TABLE + "[" + row.name() + "]";
      Optional<YamlNode> body = parseBody(rowName + ".spec", row.spec(), problems);
      Position nameAt = Position.wholeSource(rowName + ".name");
      // A profile whose YAML is broken still exists: its services must not be told otherwise.
      profiles.add(
          new YamlNode.Entry(
              row.name(), nameAt, body.orElse(new YamlNode.Mapping(nameAt, List.of()))));
    }
    List<YamlNode> services = new ArrayList<>();
    for (Row row : rows.services()) {
      String rowName = SERVICE_TABLE + "[" + row.name() + "]";
      Position nameAt = Position.wholeSource(rowName + ".name");
      YamlNode.Entry name =
          new YamlNode.Entry(
              "name", nameAt, new YamlNode.Scalar(nameAt, row.name(), YamlNode.Scalar.Kind.STRING));
      Optional<YamlNode> body = parseBody(rowName + ".spec", row.spec(), problems);
      if (body.isPresent() && body.get() instanceof YamlNode.Mapping m) {
        List<YamlNode.Entry> entries = new ArrayList<>();
        entries.add(name);
        for (YamlNode.Entry e : m.entries()) {
          if (e.key().equals("name")) {
            problems.add(
                e.keyPosition(),
                "services[" + row.name() + "].name",
                "the name is the row's name column; remove it from spec");
          } else {
            entries.add(e);
          }
        }
        services.add(new YamlNode.Mapping(m.position(), entries));
      } else if (body.isPresent()) {
        services.add(body.get());
      } else if (row.spec().isBlank()) {
        services.add(new YamlNode.Mapping(nameAt, List.of(name)));
      }
      // else: not YAML, reported; the service's other problems would only be noise.
    }
    YamlNode.Mapping root =
        new YamlNode.Mapping(
            database,
            List.of(
                new YamlNode.Entry("profiles", database, new YamlNode.Mapping(database, profiles)),
                new YamlNode.Entry(
                    "services", database, new YamlNode.Sequence(database, services))));
    return CatalogReader.read(database, Optional.of(root), problems);
  }

  private static Optional<YamlNode> parseBody(String source, String spec, Problems problems) {
    if (spec.length() > CatalogRules.MAX_SOURCE_BYTES) {
      problems.add(Position.wholeSource(source), "longer than 1 MiB");
      return Optional.empty();
    }
    return YamlTreeParser.parse(source, spec, problems);
  }
}
