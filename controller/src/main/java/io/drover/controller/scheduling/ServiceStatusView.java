package io.drover.controller.scheduling;

/** A service with its counts, for listings. */
public record ServiceStatusView(
    String name,
    int desired,
    int ready,
    int starting,
    int pending,
    int failed,
    int min,
    int max,
    boolean cold,
    String profile,
    String entry) {}
