package io.drover.controller.state;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.drover.common.errors.InvalidArgumentException;
import java.io.IOException;

/**
 * {@link StateCommand}s and {@link DesiredState.Image}s as JSON, e.g. {@code
 * {"type":"set-scale","service":"orders","replicas":3}}. Strict on reading: an unknown type, a
 * missing or unknown field or a field out of range is an error, never a default. Map keys are
 * sorted, so the same state always gives the same bytes.
 */
final class DesiredStateCodec implements CommandCodec<StateCommand> {
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final ObjectWriter COMMAND_WRITER = JSON.writerFor(StateCommand.class);
  private static final ObjectReader COMMAND_READER = JSON.readerFor(StateCommand.class);
  private static final ObjectWriter IMAGE_WRITER = JSON.writerFor(DesiredState.Image.class);
  // Fields added later are missing from older snapshots; Image itself insists on the others.
  private static final ObjectReader IMAGE_READER =
      JSON.readerFor(DesiredState.Image.class)
          .without(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .without(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

  @Override
  public byte[] encode(StateCommand command) {
    return write(COMMAND_WRITER, command);
  }

  @Override
  public StateCommand decode(byte[] payload) {
    return read(COMMAND_READER, payload);
  }

  byte[] encodeImage(DesiredState.Image image) {
    return write(IMAGE_WRITER, image);
  }

  DesiredState.Image decodeImage(byte[] payload) {
    // Snapshots written before API tokens existed have no "tokens": read them as none.
    try {
      com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(payload);
      if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode object
          && !object.has("tokens")) {
        object.putObject("tokens");
        return read(IMAGE_READER, JSON.writeValueAsBytes(object));
      }
    } catch (IOException e) {
      // not JSON: let read() report it
    }
    return read(IMAGE_READER, payload);
  }

  private static byte[] write(ObjectWriter writer, Object value) {
    try {
      return writer.writeValueAsBytes(value);
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot write " + value + " as JSON", e);
    }
  }

  private static <T> T read(ObjectReader reader, byte[] payload) {
    try {
      return reader.readValue(payload);
    } catch (InvalidTypeIdException e) {
      throw new IllegalArgumentException(
          e.getTypeId() == null
              ? "no command type"
              : "unknown command type '" + e.getTypeId() + "'",
          e);
    } catch (ValueInstantiationException e) {
      throw new IllegalArgumentException(
          e.getCause() instanceof InvalidArgumentException
              ? e.getCause().getMessage()
              : e.getOriginalMessage(),
          e);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("malformed payload: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
