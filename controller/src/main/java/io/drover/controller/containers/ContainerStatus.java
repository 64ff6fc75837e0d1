package io.drover.controller.containers;

/** The life of a container JVM, as its agent reports it. */
public enum ContainerStatus {
  STARTING,
  IDLE,
  LOADING,
  RUNNING,
  STOPPING,
  EXITED,
  FAILED;

  public boolean isTerminal() {
    return this == EXITED || this == FAILED;
  }
}
