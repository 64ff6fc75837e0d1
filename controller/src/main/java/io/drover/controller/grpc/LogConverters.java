package io.drover.controller.grpc;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.logs.AgentLogMessage;
import io.drover.controller.logs.LogEnding;
import io.drover.v1.CancelLog;
import io.drover.v1.ControllerMessage;
import io.drover.v1.LogCredit;
import io.drover.v1.LogData;
import io.drover.v1.LogEnd;
import io.drover.v1.OpenLog;

/** Log messages between the domain and the agent stream's wire format. */
final class LogConverters {
  /** Largest piece of a log an agent may send in one message. */
  static final int MAX_CHUNK_BYTES = 32 * 1024;

  private LogConverters() {}

  static ControllerMessage toAgent(long epoch, AgentLogMessage message) {
    ControllerMessage.Builder out = ControllerMessage.newBuilder().setSessionEpoch(epoch);
    if (message instanceof AgentLogMessage.Open open) {
      out.setOpenLog(
          OpenLog.newBuilder()
              .setStreamId(open.streamId())
              .setInstanceId(open.instanceId())
              .setContainerId(open.containerId())
              .setTailLines(open.tailLines())
              .setFollow(open.follow())
              .setWindow(open.window()));
    } else if (message instanceof AgentLogMessage.Credit credit) {
      out.setLogCredit(
          LogCredit.newBuilder().setStreamId(credit.streamId()).setChunks(credit.chunks()));
    } else if (message instanceof AgentLogMessage.Cancel cancel) {
      out.setCancelLog(CancelLog.newBuilder().setStreamId(cancel.streamId()));
    } else {
      throw new IllegalArgumentException("unknown log message " + message);
    }
    return out.build();
  }

  /** Checks the size of a piece of a log. */
  static byte[] data(LogData data) {
    if (data.getData().size() > MAX_CHUNK_BYTES) {
      throw new InvalidArgumentException(
          "log_data.data",
          data.getData().size() + " bytes exceeds the limit of " + MAX_CHUNK_BYTES + " bytes");
    }
    return data.getData().toByteArray();
  }

  static LogEnding ending(LogEnd end) {
    return switch (end.getReason()) {
      case REASON_COMPLETE -> LogEnding.COMPLETE;
      case REASON_INSTANCE_GONE -> LogEnding.INSTANCE_GONE;
      case REASON_NOT_FOUND -> LogEnding.NOT_FOUND;
      case REASON_NO_LOG -> LogEnding.NO_LOG;
      case REASON_BUSY -> LogEnding.BUSY;
      case REASON_FAILED, REASON_UNSPECIFIED, UNRECOGNIZED -> LogEnding.FAILED;
    };
  }
}
