package io.drover.common.config;

/**
 * A setting as written, before parsing.
 *
 * @param value the text of the value
 * @param origin where it was written: {@code agent.yaml:3:8}, {@code DROVER_NAME}, {@code --name}
 */
public record RawSetting(String value, String origin) {}
