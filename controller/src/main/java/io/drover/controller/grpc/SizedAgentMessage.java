package io.drover.controller.grpc;

import io.drover.v1.AgentMessage;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An agent's message with its size as it came off the stream (decompressed), so that the limit on a
 * message's size is checked without computing the size of the parsed message again: protobuf
 * computes it by walking every field, and builds an entry object for each entry of every map (a
 * container's service metrics) while it does.
 *
 * @param bytes the serialized size of {@code message}
 */
record SizedAgentMessage(AgentMessage message, int bytes) {

  /** Sized by serializing: for a message that did not come off a stream. */
  static SizedAgentMessage of(AgentMessage message) {
    return new SizedAgentMessage(message, message.getSerializedSize());
  }

  /** Parses as {@code messages} does, and notes how many bytes it parsed. */
  static final class Marshaller implements MethodDescriptor.Marshaller<SizedAgentMessage> {
    private final MethodDescriptor.Marshaller<AgentMessage> messages;

    Marshaller(MethodDescriptor.Marshaller<AgentMessage> messages) {
      this.messages = messages;
    }

    @Override
    public InputStream stream(SizedAgentMessage value) {
      return messages.stream(value.message());
    }

    @Override
    public SizedAgentMessage parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          // An uncompressed message: the transport knows its length, and the protobuf marshaller
          // keeps its fast path for such a stream.
          int bytes = stream.available();
          return new SizedAgentMessage(messages.parse(stream), bytes);
        }
        // A compressed message, decompressed as it is read: read it whole to count it. The
        // transport's own limit (above maxMessageBytes) bounds what is read.
        byte[] whole = stream.readAllBytes();
        return new SizedAgentMessage(messages.parse(new Bytes(whole)), whole.length);
      } catch (IOException e) {
        throw Status.INTERNAL
            .withDescription("cannot read an AgentMessage")
            .withCause(e)
            .asRuntimeException();
      }
    }
  }

  /** Bytes the protobuf marshaller may read on its fast path. */
  private static final class Bytes extends ByteArrayInputStream implements KnownLength {
    Bytes(byte[] bytes) {
      super(bytes);
    }
  }
}
