package io.drover.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a YAML settings file into dotted keys, remembering the line and column of every value so
 * that errors can point at it. Nested mappings and dotted names are equivalent: {@code http:
 * {listen: ...}} is the key {@code http.listen}.
 */
public final class YamlSettingsFile {
  private static final YAMLFactory YAML = new YAMLFactory();

  private YamlSettingsFile() {}

  public static Map<String, RawSetting> read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": file not found");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  /** Parses YAML text; {@code name} is used in error messages. */
  public static Map<String, RawSetting> parse(String name, String text) {
    Map<String, RawSetting> settings = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return settings;
      }
      if (first != JsonToken.START_OBJECT) {
        throw new ConfigException(
            at(name, parser.currentTokenLocation())
                + ": the file must be a mapping of settings (key: value)");
      }
      readMapping(name, parser, "", settings, problems);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          at(name, e.getLocation()) + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read: " + e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return settings;
  }

  private static void readMapping(
      String name,
      JsonParser parser,
      String prefix,
      Map<String, RawSetting> out,
      List<String> problems)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = prefix + parser.currentName();
      JsonLocation keyLocation = parser.currentTokenLocation();
      JsonToken value = parser.nextToken();
      switch (value) {
        case START_OBJECT -> readMapping(name, parser, key + ".", out, problems);
        case START_ARRAY -> {
          problems.add(at(name, keyLocation) + ": " + key + ": expected one value, found a list");
          parser.skipChildren();
        }
        case VALUE_NULL -> {
          // "key:" with nothing after it leaves the default in force.
        }
        default -> {
          RawSetting earlier =
              out.put(
                  key, new RawSetting(parser.getText(), at(name, parser.currentTokenLocation())));
          if (earlier != null) {
            problems.add(
                at(name, keyLocation)
                    + ": "
                    + key
                    + ": set twice (first at "
                    + earlier.origin()
                    + ")");
          }
        }
      }
    }
  }

  private static String at(String name, JsonLocation location) {
    if (location == null) {
      return name;
    }
    return name + ":" + location.getLineNr() + ":" + location.getColumnNr();
  }
}
