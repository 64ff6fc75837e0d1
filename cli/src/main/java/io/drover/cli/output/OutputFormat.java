package io.drover.cli.output;

/** How client verbs print: aligned columns for people, JSON for scripts. */
public enum OutputFormat {
  table,
  json
}
