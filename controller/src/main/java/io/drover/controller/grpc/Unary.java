package io.drover.controller.grpc;

import io.drover.common.grpc.StatusMapping;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs a unary handler and answers with its result, or with the mapped status of its error. */
final class Unary {
  private Unary() {}

  static <T> void answer(StreamObserver<T> response, Supplier<T> handler) {
    T result;
    try {
      result = handler.get();
    } catch (RuntimeException e) {
      response.onError(StatusMapping.toException(e));
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
