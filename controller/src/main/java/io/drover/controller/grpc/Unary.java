package io.drover.controller.grpc;

import io.drover.common.grpc.StatusMapping;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Runs a unary handler and answers with its result, or with the mapped status of its error. */
final class Unary {
  private Unary() {}

  /** Answers when {@code result} completes; the handler thread does not wait for it. */
  static <T> void answerLater(StreamObserver<T> response, CompletionStage<T> result) {
    result.whenComplete(
        (value, error) -> {
          if (error != null) {
            Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            response.onError(StatusMapping.toException(cause));
          } else {
            response.onNext(value);
            response.onCompleted();
          }
        });
  }

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
