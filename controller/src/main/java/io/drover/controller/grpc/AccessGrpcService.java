package io.drover.controller.grpc;

import io.drover.controller.access.AccessControl;
import io.drover.controller.access.Role;
import io.drover.v1.AccessGrpc;
import io.drover.v1.CreateTokenRequest;
import io.drover.v1.CreateTokenResponse;
import io.grpc.stub.StreamObserver;

/** Thin adapter from the {@code Access} API to {@link AccessControl}. */
public final class AccessGrpcService extends AccessGrpc.AccessImplBase {
  private final AccessControl access;

  public AccessGrpcService(AccessControl access) {
    this.access = access;
  }

  @Override
  public void createToken(
      CreateTokenRequest request, StreamObserver<CreateTokenResponse> response) {
    Unary.answer(
        response,
        () -> {
          String name = ProtoLimits.name("name", request.getName(), 64);
          Role role = Role.parse("role", request.getRole());
          String token = access.create(name, role);
          return CreateTokenResponse.newBuilder()
              .setName(name)
              .setRole(role.label())
              .setToken(token)
              .build();
        });
  }
}
