package io.drover.controller.grpc;

import io.drover.common.errors.InvalidArgumentException;
import java.util.List;

/**
 * Bounds on proto fields that become controller state, so that one agent or client cannot make the
 * controller hold arbitrary amounts of memory.
 */
final class ProtoLimits {
  static final int SHORT_TEXT = 256;
  static final int LONG_TEXT = 4096;

  private ProtoLimits() {}

  static String text(String field, String value, int max) {
    if (value.length() > max) {
      throw new InvalidArgumentException(
          field, "is " + value.length() + " characters long; the limit is " + max);
    }
    return value;
  }

  static String name(String field, String value, int max) {
    if (value.isEmpty()) {
      throw new InvalidArgumentException(field, "must not be empty");
    }
    text(field, value, max);
    if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new InvalidArgumentException(
          field,
          "'"
              + value
              + "' may hold only letters, digits, '.', '_' and '-', after a letter or digit");
    }
    return value;
  }

  static <T> List<T> list(String field, List<T> values, int max) {
    if (values.size() > max) {
      throw new InvalidArgumentException(
          field, "has " + values.size() + " entries; the limit is " + max);
    }
    return values;
  }

  static int port(String field, int value) {
    if (value < 0 || value > 65_535) {
      throw new InvalidArgumentException(field, value + " is not a TCP port");
    }
    return value;
  }
}
