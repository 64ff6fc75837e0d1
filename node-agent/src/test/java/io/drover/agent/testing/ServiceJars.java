package io.drover.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Service jars made from compiled test classes, for a container to load. */
public final class ServiceJars {
  private ServiceJars() {}

  /** Writes {@code jar} with the class file of {@code type} and of its nested classes. */
  public static Path of(Path jar, Class<?> type) {
    String entry = type.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      URL url = type.getClassLoader().getResource(entry);
      if (url == null || !"file".equals(url.getProtocol())) {
        throw new IllegalArgumentException(type + " is not in a class directory: " + url);
      }
      Path file = Path.of(url.toURI());
      String simple = type.getSimpleName();
      List<Path> files;
      try (Stream<Path> siblings = Files.list(file.getParent())) {
        files =
            siblings
                .filter(
                    p -> {
                      String name = p.getFileName().toString();
                      return name.equals(simple + ".class") || name.startsWith(simple + "$");
                    })
                .sorted()
                .toList();
      }
      String dir = entry.substring(0, entry.lastIndexOf('/') + 1);
      for (Path classFile : files) {
        out.putNextEntry(new JarEntry(dir + classFile.getFileName()));
        try (InputStream in = Files.newInputStream(classFile)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
    return jar;
  }
}
