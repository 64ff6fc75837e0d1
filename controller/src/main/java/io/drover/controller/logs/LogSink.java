package io.drover.controller.logs;

/**
 * Where the pieces of an instance's log go, in order. Called from transport threads: an
 * implementation only queues and never blocks. After {@link #ended} or {@link #failed} nothing more
 * comes.
 */
public interface LogSink {
  /** A piece of the log of container {@code containerId}: whole lines, at most 32 KiB. */
  void chunk(String containerId, byte[] data);

  /**
   * The log ended as asked, or because the instance is gone.
   *
   * @param reason why it ended when the client did not ask for it to (the instance is gone); empty
   *     when the tail was sent
   */
  void ended(String reason);

  /** The log could not be read, or its node went away; {@code error} is a domain exception. */
  void failed(RuntimeException error);
}
