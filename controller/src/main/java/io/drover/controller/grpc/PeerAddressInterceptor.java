package io.drover.controller.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Makes the caller's host address available to service methods through the gRPC context. */
final class PeerAddressInterceptor implements ServerInterceptor {
  static final Context.Key<String> PEER_HOST = Context.key("drover-peer-host");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String host =
        remote instanceof InetSocketAddress inet
            ? inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString()
            : String.valueOf(remote);
    return Contexts.interceptCall(
        Context.current().withValue(PEER_HOST, host), call, headers, next);
  }

  static String peerHost() {
    String host = PEER_HOST.get();
    return host == null ? "unknown" : host;
  }
}
