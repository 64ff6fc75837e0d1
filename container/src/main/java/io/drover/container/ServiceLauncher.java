package io.drover.container;

import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Loads the jar of an assignment in a class loader of its own and starts its entry class on a
 * service thread: a {@link MicroService} through {@link MicroService#start}, any other class
 * through its {@code public static void main(String[])}. Then it waits for the service to be ready:
 * {@link MicroService#isReady()}, or for a plain main, every assigned port accepting a TCP
 * connection on loopback (or main returning, when there is no port).
 */
final class ServiceLauncher {
  /** How often readiness is polled. */
  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private static final int CONNECT_TIMEOUT_MS = 100;

  /** What the runtime learns from the start; called on service threads. */
  interface Callbacks {
    /** Whether the container is still LOADING; polling stops when it is not. */
    boolean loading();

    /** The service's loader, and its instance when it is a MicroService (else null). */
    void loaded(URLClassLoader loader, MicroService service);

    /**
     * The service is ready.
     *
     * @param phases where the time went, for the log: "class 2.1 ms, start 6.3 ms"
     */
    void ready(String phases);

    void failed(Throwable cause);

    /** MicroService.start returned (or threw); a stop must not overlap it. */
    default void startReturned() {}

    /** A plain main threw after the service was ready. */
    void mainFailed(Throwable cause);
  }

  private final ClassLoader containerLoader;
  private final boolean setSystemProperties;

  /**
   * @param setSystemProperties false for the warm-up, which must leave no trace in the JVM
   */
  ServiceLauncher(ClassLoader containerLoader, boolean setSystemProperties) {
    this.containerLoader = containerLoader;
    this.setSystemProperties = setSystemProperties;
  }

  /** Starts the service thread and returns at once. */
  Thread launch(ServiceAssignment assignment, ServiceContext context, Callbacks callbacks) {
    Phases phases = new Phases();
    Thread thread =
        new Thread(
            () -> run(assignment, context, callbacks, phases),
            "service-" + assignment.getService());
    thread.start();
    return thread;
  }

  /** When each step of a start ended, for the log. */
  static final class Phases {
    private final long begin = System.nanoTime();
    private final StringBuilder text = new StringBuilder();

    synchronized void mark(String step) {
      if (text.length() > 0) {
        text.append(", ");
      }
      text.append(step)
          .append(' ')
          .append(String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - begin) / 1e6));
    }

    synchronized String done() {
      mark("ready");
      return text.append(" ms").toString();
    }
  }

  private void run(
      ServiceAssignment assignment, ServiceContext context, Callbacks callbacks, Phases phases) {
    try {
      String entryName = assignment.getEntry().strip();
      if (entryName.isEmpty()) {
        throw new IllegalArgumentException("the assignment names no entry class");
      }
      if (assignment.getLocalPath().isBlank()) {
        throw new IllegalArgumentException("the assignment names no local_path");
      }
      Path jar = Path.of(assignment.getLocalPath());
      if (!Files.isRegularFile(jar)) {
        throw new NoSuchFileException(jar.toString());
      }
      if (setSystemProperties) {
        setSystemProperties(assignment);
      }
      URLClassLoader loader =
          ServiceClassLoaders.forJar(assignment.getService(), jar, containerLoader);
      Thread.currentThread().setContextClassLoader(loader);
      Class<?> entry = Class.forName(entryName, true, loader);
      phases.mark("class");
      if (MicroService.class.isAssignableFrom(entry)) {
        runMicroService(entry, loader, context, callbacks, phases);
      } else {
        runMain(entry, loader, assignment, callbacks, phases);
      }
    } catch (Throwable t) {
      Throwable cause = unwrap(t);
      if (callbacks.loading()) {
        callbacks.failed(cause);
      } else {
        callbacks.mainFailed(cause);
      }
    }
  }

  private static void runMicroService(
      Class<?> entry,
      URLClassLoader loader,
      ServiceContext context,
      Callbacks callbacks,
      Phases phases)
      throws Exception {
    MicroService service;
    try {
      service = (MicroService) entry.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new NoSuchMethodException(entry.getName() + " has no public no-argument constructor");
    }
    callbacks.loaded(loader, service);
    phases.mark("instance");
    try {
      service.start(context);
    } finally {
      callbacks.startReturned();
    }
    phases.mark("start");
    while (callbacks.loading()) {
      if (service.isReady()) {
        callbacks.ready(phases.done());
        return;
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  private static void runMain(
      Class<?> entry,
      URLClassLoader loader,
      ServiceAssignment assignment,
      Callbacks callbacks,
      Phases phases)
      throws Throwable {
    Method main;
    try {
      main = entry.getMethod("main", String[].class);
    } catch (NoSuchMethodException e) {
      main = null;
    }
    if (main == null || !Modifier.isStatic(main.getModifiers())) {
      throw new NoSuchMethodException(
          entry.getName()
              + " neither implements io.drover.sdk.MicroService nor has a public static"
              + " main(String[])");
    }
    callbacks.loaded(loader, null);
    List<Integer> ports = new ArrayList<>();
    for (PortBinding binding : assignment.getPortsList()) {
      ports.add(binding.getPort());
    }
    if (!ports.isEmpty()) {
      Thread probe = new Thread(() -> awaitPorts(ports, callbacks, phases), "drover-readiness");
      probe.setDaemon(true);
      probe.start();
    }
    phases.mark("main");
    main.invoke(null, (Object) mainArgs(assignment));
    if (ports.isEmpty() && callbacks.loading()) {
      callbacks.ready(phases.done());
    }
  }

  private static void awaitPorts(List<Integer> ports, Callbacks callbacks, Phases phases) {
    List<Integer> waiting = new ArrayList<>(ports);
    while (callbacks.loading()) {
      waiting.removeIf(ServiceLauncher::accepts);
      if (waiting.isEmpty()) {
        callbacks.ready(phases.done());
        return;
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Whether something accepts TCP connections on {@code port} of loopback. */
  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  /**
   * The system properties of the assignment, then {@code drover.port} (the first port), {@code
   * drover.port.NAME} for every port, {@code drover.instance} and {@code drover.service}.
   */
  static void setSystemProperties(ServiceAssignment assignment) {
    for (Map.Entry<String, String> property : assignment.getSystemPropertiesMap().entrySet()) {
      System.setProperty(property.getKey(), property.getValue());
    }
    if (assignment.getPortsCount() > 0) {
      System.setProperty("drover.port", Integer.toString(assignment.getPorts(0).getPort()));
    }
    for (PortBinding binding : assignment.getPortsList()) {
      if (!binding.getName().isEmpty()) {
        System.setProperty("drover.port." + binding.getName(), Integer.toString(binding.getPort()));
      }
    }
    System.setProperty("drover.instance", assignment.getInstanceId());
    System.setProperty("drover.service", assignment.getService());
  }

  /** The assignment's arguments, then the first port when there is one. */
  static String[] mainArgs(ServiceAssignment assignment) {
    List<String> args = new ArrayList<>(assignment.getArgsList());
    if (assignment.getPortsCount() > 0) {
      args.add(Integer.toString(assignment.getPorts(0).getPort()));
    }
    return args.toArray(new String[0]);
  }

  static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof InvocationTargetException
            || current instanceof ExceptionInInitializerError)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
