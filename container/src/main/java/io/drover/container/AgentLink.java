package io.drover.container;

import io.drover.common.grpc.OutboundStream;
import io.drover.common.net.LinkAddress;
import io.drover.common.retry.Backoff;
import io.drover.v1.AgentToContainer;
import io.drover.v1.AttachAccepted;
import io.drover.v1.AttachRequest;
import io.drover.v1.ContainerLinkGrpc;
import io.drover.v1.ContainerMessage;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ReleaseContainer;
import io.drover.v1.ServiceAssignment;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The container's end of {@code ContainerLink.Attach}: opens the stream, attaches with the
 * container's id, secret and current state, and re-attaches forever with capped, jittered backoff
 * when the stream ends, except when the agent refuses the secret. The agent's address (a Unix
 * socket in its data dir, or a loopback port it keeps) stays the same when the agent restarts, so a
 * container that runs a service outlives its agent and re-attaches to the next one. Every decision
 * runs on one thread ({@code drover-container-link}); gRPC callbacks only hand work to it, and
 * every outbound message goes through the stream's single writer, {@link OutboundStream}.
 *
 * <p>State changes and the attach request are both sent under the runtime's state lock, so an
 * attach always carries the latest state and a state change is never lost between two streams: one
 * that happens while no stream is open rides on the next attach.
 */
final class AgentLink implements AutoCloseable {
  /** Enough for every state change and a burst of reports; metrics replace each other. */
  private static final int OUTBOUND_CAPACITY = 256;

  /** Reports kept while the agent is unreachable: the latest ones. */
  static final int MAX_PENDING_REPORTS = 16;

  /** An agent that took the stream but says nothing for this long is given up on. */
  private static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(10);

  /** What the runtime does with what the agent says; called on the link thread. */
  interface Listener {
    /** The attach to send, built from the current state; called under the state lock. */
    AttachRequest attachRequest();

    void onAccepted(AttachAccepted accepted);

    void onAssign(ServiceAssignment assignment);

    void onRelease(ReleaseContainer release);

    /** The agent refused the attach; the link will not try again. */
    void onRefused(Status status);

    /** The container has been without an accepted stream for the attach timeout. */
    void onAttachTimeout(Duration unattachedFor);
  }

  private final LinkAddress agent;
  private final EventLoopGroup unixGroup;
  private final ManagedChannel channel;
  private final ContainerLinkGrpc.ContainerLinkStub stub;
  private final Object stateLock;
  private final Listener listener;
  private final Backoff backoff;
  private final Duration attachTimeout;
  private final ScheduledExecutorService scheduler;

  // Written under stateLock; read without it only to check that a callback is still current.
  private volatile Session current;
  private final ArrayDeque<ContainerMessage> pendingReports = new ArrayDeque<>();
  private boolean closed;

  // Owned by the link thread.
  private long unattachedSince = System.nanoTime();
  private long attachGeneration;

  AgentLink(
      LinkAddress agent,
      Object stateLock,
      Listener listener,
      Backoff backoff,
      Duration attachTimeout) {
    this.agent = agent;
    NettyChannelBuilder builder;
    if (agent.isUnix()) {
      if (!Epoll.isAvailable()) {
        throw new IllegalStateException(
            "DROVER_AGENT_LINK names a Unix socket ("
                + agent
                + "), but this JVM cannot use one: "
                + Epoll.unavailabilityCause());
      }
      unixGroup = new EpollEventLoopGroup(1, new DefaultThreadFactory("drover-link-io", true));
      builder =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(agent.socket().toString()))
              .eventLoopGroup(unixGroup)
              .channelType(EpollDomainSocketChannel.class);
    } else {
      unixGroup = null;
      builder = NettyChannelBuilder.forAddress(agent.tcp().host(), agent.tcp().port());
    }
    this.channel =
        builder.usePlaintext().maxInboundMessageSize(4 << 20).userAgent("drover-container").build();
    this.stub = ContainerLinkGrpc.newStub(channel);
    this.stateLock = stateLock;
    this.listener = listener;
    this.backoff = backoff;
    this.attachTimeout = attachTimeout;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drover-container-link");
              t.setDaemon(true);
              return t;
            });
  }

  /** The channel to the agent: other calls a container makes go through its agent too. */
  io.grpc.Channel channel() {
    return channel;
  }

  void start() {
    onLinkThread(
        () -> {
          scheduleAttachTimeout();
          connect();
        });
  }

  /** Whether a stream is open and the agent accepted it. */
  boolean attached() {
    synchronized (stateLock) {
      return current != null && current.accepted;
    }
  }

  /**
   * Sends a state change on the open stream, if any; call it under the state lock, right after the
   * change. Without a stream the next attach carries the state.
   */
  void sendStateChange(ContainerMessage change) {
    Session session = current;
    if (session != null && !session.out.send(change) && !session.out.isTerminated()) {
      RuntimeLog.warning("the agent is not reading; dropping the link to resynchronise");
      session.cancel("outbound queue full");
    }
  }

  /** Sends a report now if attached, else keeps it (the latest few) for the next attach. */
  void sendReport(ContainerMessage report) {
    synchronized (stateLock) {
      Session session = current;
      if (session != null && session.accepted && session.out.send(report)) {
        return;
      }
      pendingReports.addLast(report);
      while (pendingReports.size() > MAX_PENDING_REPORTS) {
        pendingReports.removeFirst();
      }
    }
  }

  /** Sends a metrics sample if attached; a newer sample replaces one not yet written. */
  void sendMetrics(ContainerMetrics metrics) {
    Session session;
    synchronized (stateLock) {
      session = current;
      if (session == null || !session.accepted) {
        return;
      }
    }
    session.out.sendLatest(ContainerMessage.newBuilder().setMetrics(metrics).build());
  }

  /**
   * Ends the link for good: half-closes the stream once everything queued is written and waits up
   * to {@code timeout} for the agent to close its side, so that the last state change reaches it
   * before the process exits.
   */
  void finish(Duration timeout) {
    Session session;
    synchronized (stateLock) {
      closed = true;
      session = current;
    }
    if (session != null) {
      session.out.complete();
      try {
        session.done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    synchronized (stateLock) {
      closed = true;
      if (current != null) {
        current.cancel("container closing");
      }
    }
    scheduler.shutdownNow();
    channel.shutdownNow();
    if (unixGroup != null) {
      unixGroup.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
    }
  }

  private void connect() {
    Session session;
    synchronized (stateLock) {
      if (closed) {
        return;
      }
      // The channel keeps its own reconnect backoff; ours decides when to try again.
      channel.resetConnectBackoff();
      session = new Session();
      current = session;
      stub.attach(session);
      session.out.send(ContainerMessage.newBuilder().setAttach(listener.attachRequest()).build());
    }
    scheduler.schedule(
        () -> {
          synchronized (stateLock) {
            if (session == current && !session.accepted) {
              session.cancel("no answer to the attach within " + ACCEPT_TIMEOUT.toSeconds() + "s");
            }
          }
        },
        ACCEPT_TIMEOUT.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void onAccepted(Session session, AttachAccepted accepted) {
    synchronized (stateLock) {
      if (session != current || session.accepted) {
        return;
      }
      session.accepted = true;
      while (!pendingReports.isEmpty() && session.out.send(pendingReports.peekFirst())) {
        pendingReports.removeFirst();
      }
    }
    int failures = backoff.failures();
    backoff.reset();
    RuntimeLog.info(
        "attached to the agent at "
            + agent
            + (failures > 0 ? " after " + failures + " failed attempt(s)" : ""));
    listener.onAccepted(accepted);
  }

  private void onEnded(Session session, Status status) {
    boolean wasAccepted;
    synchronized (stateLock) {
      if (session != current) {
        return;
      }
      current = null;
      wasAccepted = session.accepted;
      if (closed) {
        return;
      }
    }
    if (status.getCode() == Status.Code.UNAUTHENTICATED) {
      synchronized (stateLock) {
        closed = true;
      }
      listener.onRefused(status);
      return;
    }
    if (wasAccepted) {
      unattachedSince = System.nanoTime();
      scheduleAttachTimeout();
    }
    Duration delay = backoff.nextDelay();
    int attempt = backoff.failures();
    String why = describe(status);
    if (wasAccepted) {
      RuntimeLog.warning("lost the agent at " + agent + " (" + why + "); re-attaching");
    } else if (Integer.bitCount(attempt) == 1) {
      // Attempts 1, 2, 4, 8...: a container that waits for hours does not fill its log.
      RuntimeLog.info(
          "cannot attach to the agent at "
              + agent
              + " ("
              + why
              + "); attempt "
              + attempt
              + ", next in "
              + delay.toMillis()
              + " ms");
    }
    scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void scheduleAttachTimeout() {
    long generation = ++attachGeneration;
    long since = unattachedSince;
    scheduler.schedule(
        () -> {
          if (generation != attachGeneration || attached()) {
            return;
          }
          listener.onAttachTimeout(Duration.ofNanos(System.nanoTime() - since));
        },
        attachTimeout.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void onLinkThread(Runnable work) {
    try {
      scheduler.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              RuntimeLog.severe("unexpected error on the link thread", e);
            }
          });
    } catch (RejectedExecutionException closedAlready) {
      // close() ran; nothing more to do.
    }
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    Throwable cause = status.getCause();
    return status.getCode()
        + (description == null ? "" : ": " + description)
        + (cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")");
  }

  /**
   * A message from the agent, handled on the link thread. A class rather than a lambda per kind:
   * the first message (accepted) loads it, so an assignment spins no new class on its way.
   */
  private final class Delivery implements Runnable {
    private final Session session;
    private final AgentToContainer message;

    Delivery(Session session, AgentToContainer message) {
      this.session = session;
      this.message = message;
    }

    @Override
    public void run() {
      switch (message.getBodyCase()) {
        case ACCEPTED -> onAccepted(session, message.getAccepted());
        case ASSIGN -> {
          if (session == current) {
            listener.onAssign(message.getAssign());
          }
        }
        case RELEASE -> {
          if (session == current) {
            listener.onRelease(message.getRelease());
          }
        }
        default -> RuntimeLog.fine("ignoring agent message " + message.getBodyCase());
      }
    }
  }

  /** One stream; callbacks hand everything to the link thread. */
  private final class Session
      implements ClientResponseObserver<ContainerMessage, AgentToContainer> {
    final AtomicBoolean ended = new AtomicBoolean();
    final CountDownLatch done = new CountDownLatch(1);
    OutboundStream<ContainerMessage> out;
    ClientCallStreamObserver<ContainerMessage> call;
    boolean accepted; // guarded by stateLock

    @Override
    public void beforeStart(ClientCallStreamObserver<ContainerMessage> requestStream) {
      call = requestStream;
      out = OutboundStream.attach(requestStream, OUTBOUND_CAPACITY);
    }

    void cancel(String why) {
      call.cancel(why, null);
    }

    @Override
    public void onNext(AgentToContainer message) {
      onLinkThread(new Delivery(this, message));
    }

    @Override
    public void onError(Throwable t) {
      end(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end(Status.UNAVAILABLE.withDescription("the agent closed the stream"));
    }

    private void end(Status status) {
      if (ended.compareAndSet(false, true)) {
        out.terminated();
        done.countDown();
        onLinkThread(() -> onEnded(this, status));
      }
    }
  }
}
