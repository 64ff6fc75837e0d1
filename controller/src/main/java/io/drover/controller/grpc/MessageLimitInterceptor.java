package io.drover.controller.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Refuses, with RESOURCE_EXHAUSTED, a request message larger than {@code control.maxMessageBytes}
 * before its handler sees it. The agent stream has its own limit ({@code maxMessageBytes}) and is
 * left alone. The transport's own limit, above both, bounds what is read at all.
 */
final class MessageLimitInterceptor implements ServerInterceptor {
  static final String AGENT_STREAM = "drover.v1.AgentGateway/Connect";

  private final int maxBytes;

  MessageLimitInterceptor(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (call.getMethodDescriptor().getFullMethodName().equals(AGENT_STREAM)) {
      return next.startCall(call, headers);
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        if (message instanceof MessageLite lite && lite.getSerializedSize() > maxBytes) {
          refused = true;
          call.close(
              Status.RESOURCE_EXHAUSTED.withDescription(
                  message.getClass().getSimpleName()
                      + " of "
                      + lite.getSerializedSize()
                      + " bytes exceeds the limit of "
                      + maxBytes
                      + " bytes (control.maxMessageBytes)"),
              new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }
}
