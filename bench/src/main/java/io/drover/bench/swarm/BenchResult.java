package io.drover.bench.swarm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON every scenario benchmark writes: its figures, then the machine it ran on. */
public final class BenchResult {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Object> fields = new LinkedHashMap<>();

  public BenchResult(String benchmark) {
    fields.put("benchmark", benchmark);
    fields.put("date", Instant.now().toString());
  }

  public BenchResult put(String name, Object value) {
    fields.put(name, value);
    return this;
  }

  public Object get(String name) {
    return fields.get(name);
  }

  /** Writes the figures with the machine's cores, memory, load average and Java version. */
  public void write(Path file) throws IOException {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("java", Runtime.version().toString());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put(
        "loadAverage1m",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    fields.put("machine", machine);
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Files.writeString(file, JSON.writeValueAsString(fields) + "\n");
  }
}
