package io.drover.container;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGTERM handling. The JVM's own handling runs the shutdown hooks and cannot be hurried: a second
 * SIGTERM while a slow hook runs does nothing. So the container handles SIGTERM itself (through
 * {@code sun.misc.Signal}, reached by reflection so the build stays free of internal-API warnings):
 * the first signal stops the service gracefully, as a release does; the second halts at once.
 */
final class Signals {
  private Signals() {}

  /**
   * Installs the SIGTERM handler.
   *
   * @return false if the JVM does not let the container handle SIGTERM (-Xrs, no jdk.unsupported);
   *     the shutdown hook then does the graceful part
   */
  static boolean onTerminate(Runnable first, Runnable again) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object term = signalClass.getConstructor(String.class).newInstance("TERM");
      AtomicInteger received = new AtomicInteger();
      InvocationHandler handler =
          (proxy, method, args) ->
              switch (method.getName()) {
                case "handle" -> {
                  if (received.incrementAndGet() == 1) {
                    first.run();
                  } else {
                    again.run();
                  }
                  yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "drover SIGTERM handler";
              };
      Object proxy =
          Proxy.newProxyInstance(
              Signals.class.getClassLoader(), new Class<?>[] {handlerClass}, handler);
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, term, proxy);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }
}
