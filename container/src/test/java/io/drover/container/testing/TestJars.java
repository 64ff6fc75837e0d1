package io.drover.container.testing;

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
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Service jars made from compiled test classes, for a container to load. */
public final class TestJars {
  private TestJars() {}

  /**
   * Writes {@code jar} with the class files of {@code classes} and of their nested and anonymous
   * classes, as found on this class path.
   */
  public static Path of(Path jar, Class<?>... classes) {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (Class<?> type : classes) {
        String entry = type.getName().replace('.', '/') + ".class";
        URL url = type.getClassLoader().getResource(entry);
        if (url == null || !"file".equals(url.getProtocol())) {
          throw new IllegalArgumentException(type + " is not in a class directory: " + url);
        }
        Path file = Path.of(url.toURI());
        String simple = file.getFileName().toString().replace(".class", "");
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
                  .collect(Collectors.toList());
        }
        String dir = entry.substring(0, entry.lastIndexOf('/') + 1);
        for (Path classFile : files) {
          out.putNextEntry(new JarEntry(dir + classFile.getFileName()));
          try (InputStream in = Files.newInputStream(classFile)) {
            in.transferTo(out);
          }
          out.closeEntry();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
    return jar;
  }
}
