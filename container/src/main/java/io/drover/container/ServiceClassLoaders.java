package io.drover.container;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The class loaders of a service. A service jar gets a {@link URLClassLoader} of its own whose
 * parent is an {@link SdkOnlyClassLoader}: the JDK (through the platform class loader) plus the SDK
 * ({@code io.drover.sdk}) and Dropwizard Metrics ({@code com.codahale.metrics}) from the container.
 * The runtime's gRPC, Netty and protobuf are not reachable, so a service may bring its own
 * versions; the SDK and metrics classes are the container's own, so that the objects the container
 * hands over ({@code ServiceContext}, {@code MetricRegistry}) have the types the service was
 * compiled against.
 */
public final class ServiceClassLoaders {
  /** Packages (with their sub-packages) a service sees from the container. */
  static final String[] SHARED_PACKAGES = {"io.drover.sdk.", "com.codahale.metrics."};

  private ServiceClassLoaders() {}

  /** A loader for {@code jar} that sees only the JDK and the SDK besides the jar. */
  public static URLClassLoader forJar(String name, Path jar, ClassLoader container) {
    URL url;
    try {
      url = jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(jar + " is not a valid path", e);
    }
    return new URLClassLoader(
        "service:" + name, new URL[] {url}, new SdkOnlyClassLoader(container));
  }

  static boolean isShared(String className) {
    for (String prefix : SHARED_PACKAGES) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  static boolean isSharedResource(String resource) {
    String asClass = resource.replace('/', '.');
    return isShared(asClass);
  }

  /**
   * The JDK's platform loader, plus the shared packages from the container's loader. Everything
   * else on the container's class path (the runtime, gRPC, Netty, protobuf) is not found.
   */
  public static final class SdkOnlyClassLoader extends ClassLoader {
    static {
      registerAsParallelCapable();
    }

    private final ClassLoader container;

    public SdkOnlyClassLoader(ClassLoader container) {
      super("drover-sdk", ClassLoader.getPlatformClassLoader());
      this.container = container;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (isShared(name)) {
        return container.loadClass(name);
      }
      // The platform loader, then findClass, which finds nothing.
      return super.loadClass(name, resolve);
    }

    @Override
    protected URL findResource(String name) {
      return isSharedResource(name) ? container.getResource(name) : null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
      return isSharedResource(name)
          ? container.getResources(name)
          : Collections.<URL>emptyEnumeration();
    }
  }
}
