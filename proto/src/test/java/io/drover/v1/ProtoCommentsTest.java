package io.drover.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protocol is documented in its .proto files: every service, rpc, message, enum and oneof has a
 * comment right above it that says what it is for.
 */
class ProtoCommentsTest {
  private static final Path SOURCES = Path.of("src/main/protobuf/drover/v1");
  private static final Pattern DECLARATION =
      Pattern.compile("^\\s*(service|rpc|message|enum|oneof)\\s+(\\w+)");

  @Test
  void everyDeclarationHasACommentAbove() throws IOException {
    List<String> uncommented = new ArrayList<>();
    for (Path file : protoFiles()) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher declaration = DECLARATION.matcher(lines.get(i));
        if (declaration.find() && (i == 0 || !lines.get(i - 1).trim().startsWith("//"))) {
          uncommented.add(
              file.getFileName()
                  + ":"
                  + (i + 1)
                  + " "
                  + declaration.group(1)
                  + " "
                  + declaration.group(2));
        }
      }
    }
    assertThat(uncommented).as("declarations without a comment above them").isEmpty();
  }

  /** Guards the scan above: it must see every message and enum that protoc compiled. */
  @Test
  void theScanSeesEveryCompiledMessageAndEnum() throws IOException {
    Set<String> declared = new TreeSet<>();
    for (Path file : protoFiles()) {
      for (String line : Files.readAllLines(file)) {
        Matcher declaration = DECLARATION.matcher(line);
        if (declaration.find()) {
          declared.add(declaration.group(2));
        }
      }
    }
    Set<String> compiled = new TreeSet<>();
    for (FileDescriptor file :
        List.of(
            AccessProto.getDescriptor(),
            AgentGatewayProto.getDescriptor(),
            ArtifactsProto.getDescriptor(),
            ContainerLinkProto.getDescriptor(),
            ControlProto.getDescriptor(),
            JoinProto.getDescriptor(),
            ModelProto.getDescriptor())) {
      file.getMessageTypes().forEach(message -> collect(message, compiled));
      file.getEnumTypes().forEach(e -> compiled.add(e.getName()));
      file.getServices().forEach(s -> compiled.add(s.getName()));
    }
    assertThat(compiled).hasSizeGreaterThan(90);
    assertThat(declared).containsAll(compiled);
  }

  private static void collect(Descriptor message, Set<String> names) {
    if (message.getOptions().getMapEntry()) {
      return; // generated for a map field; it has no declaration of its own
    }
    names.add(message.getName());
    message.getNestedTypes().forEach(nested -> collect(nested, names));
    for (EnumDescriptor e : message.getEnumTypes()) {
      names.add(e.getName());
    }
    message.getRealOneofs().forEach(oneof -> names.add(oneof.getName()));
  }

  private static List<Path> protoFiles() throws IOException {
    try (Stream<Path> files = Files.list(SOURCES)) {
      List<Path> protos = files.filter(p -> p.toString().endsWith(".proto")).sorted().toList();
      assertThat(protos).hasSize(7);
      return protos;
    }
  }
}
