package io.drover.controller.catalog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * A {@link YamlNode} back to YAML text, in block style, as an operator would write it: the form the
 * database keeps each service and profile in. Strings that YAML would read as something else (a
 * number, true, null) are quoted, so the text reads back to the same values.
 */
final class YamlTreeWriter {
  private static final YAMLFactory YAML =
      YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build();

  private YamlTreeWriter() {}

  static String write(YamlNode node) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = YAML.createGenerator(out)) {
      write(node, generator);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string cannot fail", e);
    }
    return out.toString();
  }

  private static void write(YamlNode node, JsonGenerator g) throws IOException {
    if (node instanceof YamlNode.Mapping m) {
      g.writeStartObject();
      for (YamlNode.Entry e : m.entries()) {
        g.writeFieldName(e.key());
        write(e.value(), g);
      }
      g.writeEndObject();
    } else if (node instanceof YamlNode.Sequence s) {
      g.writeStartArray();
      for (YamlNode item : s.items()) {
        write(item, g);
      }
      g.writeEndArray();
    } else if (node instanceof YamlNode.Scalar s) {
      switch (s.kind()) {
        case STRING -> g.writeString(s.text());
        case NUMBER -> g.writeNumber(s.text());
        case TRUE -> g.writeBoolean(true);
        case FALSE -> g.writeBoolean(false);
        case NULL -> g.writeNull();
      }
    }
  }
}
