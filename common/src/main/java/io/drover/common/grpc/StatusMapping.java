package io.drover.common.grpc;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.NotFoundException;
import io.drover.common.errors.PermissionDeniedException;
import io.drover.common.errors.ResourceExhaustedException;
import io.drover.common.errors.UnauthenticatedException;
import io.drover.common.errors.UnavailableException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one table from exceptions to gRPC status. Domain errors keep their message, which is written
 * for the caller; anything else becomes INTERNAL with a reference to the server log, so no stack
 * trace ever reaches the wire.
 */
public final class StatusMapping {
  private static final Logger log = LoggerFactory.getLogger(StatusMapping.class);

  /** Checked in order: a subclass must come before its parent. */
  private static final Map<Class<? extends Throwable>, Status.Code> TABLE = new LinkedHashMap<>();

  static {
    TABLE.put(InvalidArgumentException.class, Status.Code.INVALID_ARGUMENT);
    TABLE.put(NotFoundException.class, Status.Code.NOT_FOUND);
    TABLE.put(FailedPreconditionException.class, Status.Code.FAILED_PRECONDITION);
    TABLE.put(ResourceExhaustedException.class, Status.Code.RESOURCE_EXHAUSTED);
    TABLE.put(UnauthenticatedException.class, Status.Code.UNAUTHENTICATED);
    TABLE.put(PermissionDeniedException.class, Status.Code.PERMISSION_DENIED);
    TABLE.put(UnavailableException.class, Status.Code.UNAVAILABLE);
    TABLE.put(IOException.class, Status.Code.UNAVAILABLE);
    TABLE.put(TimeoutException.class, Status.Code.DEADLINE_EXCEEDED);
    TABLE.put(CancellationException.class, Status.Code.CANCELLED);
  }

  private StatusMapping() {}

  public static Status toStatus(Throwable error) {
    if (error instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (error instanceof StatusException se) {
      return se.getStatus();
    }
    for (Map.Entry<Class<? extends Throwable>, Status.Code> row : TABLE.entrySet()) {
      if (row.getKey().isInstance(error)) {
        return Status.fromCode(row.getValue()).withDescription(error.getMessage());
      }
    }
    String reference = UUID.randomUUID().toString().substring(0, 8);
    log.error("internal error, reference {}", reference, error);
    return Status.INTERNAL.withDescription(
        "internal error; see the server log, reference " + reference);
  }

  public static StatusRuntimeException toException(Throwable error) {
    return toStatus(error).asRuntimeException();
  }
}
