package io.drover.controller.grpc;

import io.drover.common.errors.NotFoundException;
import io.drover.common.security.Pem;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.security.ClusterSecurity;
import io.drover.v1.BootstrapRequest;
import io.drover.v1.CaInfo;
import io.drover.v1.CreateJoinTokenRequest;
import io.drover.v1.GetCaRequest;
import io.drover.v1.JoinGrpc;
import io.drover.v1.JoinToken;
import io.drover.v1.NodeCertificate;
import io.drover.v1.RemoveNodeRequest;
import io.drover.v1.RemoveNodeResponse;
import io.drover.v1.RenewRequest;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** The Join service: CA, bootstrap with a join token, renewal, tokens and node removal. */
public final class JoinGrpcService extends JoinGrpc.JoinImplBase {
  private final ClusterSecurity security;
  private final NodeRegistry nodes;
  private final Consumer<NodeRegistry.LostNode> removed;

  /**
   * @param removed told about a node that was removed, so that its instances are replaced
   */
  public JoinGrpcService(
      ClusterSecurity security, NodeRegistry nodes, Consumer<NodeRegistry.LostNode> removed) {
    this.security = security;
    this.nodes = nodes;
    this.removed = removed;
  }

  @Override
  public void getCa(GetCaRequest request, StreamObserver<CaInfo> response) {
    Unary.answer(
        response,
        () ->
            CaInfo.newBuilder()
                .setCaCertificatePem(Pem.encode(security.ca().certificate()))
                .setFingerprint(security.ca().fingerprint())
                .build());
  }

  @Override
  public void bootstrap(BootstrapRequest request, StreamObserver<NodeCertificate> response) {
    Unary.answer(
        response,
        () ->
            toProto(
                security.bootstrap(
                    ProtoLimits.text("token", request.getToken(), ProtoLimits.SHORT_TEXT),
                    ProtoLimits.text("csr_pem", request.getCsrPem(), ProtoLimits.LONG_TEXT),
                    ProtoLimits.text("node_id", request.getNodeId(), ProtoLimits.SHORT_TEXT))));
  }

  @Override
  public void renew(RenewRequest request, StreamObserver<NodeCertificate> response) {
    Unary.answer(
        response,
        () -> {
          Optional<X509Certificate> caller = ClientCertificateInterceptor.requireNode();
          X509Certificate certificate =
              caller.orElseThrow(
                  () ->
                      new io.drover.common.errors.FailedPreconditionException(
                          "this controller runs without TLS; there is nothing to renew"));
          return toProto(
              security.renew(
                  certificate,
                  ProtoLimits.text("csr_pem", request.getCsrPem(), ProtoLimits.LONG_TEXT)));
        });
  }

  @Override
  public void createJoinToken(CreateJoinTokenRequest request, StreamObserver<JoinToken> response) {
    Unary.answer(
        response,
        () -> {
          Duration ttl =
              request.getTtlMs() == 0 ? Duration.ofHours(1) : Duration.ofMillis(request.getTtlMs());
          int uses = request.getUses() == 0 ? 1 : (int) Math.min(request.getUses(), 1_000_000);
          ClusterSecurity.CreatedToken token = security.createToken(ttl, uses);
          return JoinToken.newBuilder()
              .setToken(token.token())
              .setExpiresAtMs(token.expiresAt().toEpochMilli())
              .setUses(token.uses())
              .setCaFingerprint(token.caFingerprint())
              .build();
        });
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> response) {
    Unary.answer(
        response,
        () -> {
          String wanted = ProtoLimits.text("node", request.getNode(), ProtoLimits.SHORT_TEXT);
          String nodeId;
          try {
            Node node = nodes.find(wanted);
            nodeId = node.id();
          } catch (NotFoundException e) {
            // A node that never connected (or was forgotten) may still hold certificates.
            nodeId = wanted;
          }
          if (nodes.get(nodeId).isEmpty() && security.certificateCount(nodeId) == 0) {
            throw new NotFoundException("node", wanted);
          }
          int revoked = security.revokeNode(nodeId);
          Optional<NodeRegistry.LostNode> lost =
              nodes.remove(nodeId, "removed by an operator; its certificates are revoked");
          lost.ifPresent(removed);
          return RemoveNodeResponse.newBuilder().setNodeId(nodeId).setRevoked(revoked).build();
        });
  }

  private static NodeCertificate toProto(ClusterSecurity.IssuedCertificate issued) {
    return NodeCertificate.newBuilder()
        .setNodeId(issued.nodeId())
        .setCertificatePem(Pem.encode(issued.certificate()))
        .setCaCertificatePem(Pem.encode(issued.ca()))
        .setNotAfterMs(issued.certificate().getNotAfter().toInstant().toEpochMilli())
        .build();
  }
}
