package io.drover.controller.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** INSTANCE_PENDING events are told apart by the kind of reason, not by the node it names. */
class PendingReasonTest {
  @Test
  void reasonsThatDifferOnlyByTheirNodeAreOfOneKind() {
    assertThat(Scheduler.reasonKind("waiting for a container to start on node n-1"))
        .isEqualTo(Scheduler.reasonKind("waiting for a container to start on node n-2"));
    assertThat(Scheduler.reasonKind("starting a container of profile default on node n-1"))
        .isEqualTo("starting a container of profile default")
        .isNotEqualTo(Scheduler.reasonKind("starting a container of profile big on node n-1"));
  }

  @Test
  void aReasonThatNamesNoNodeIsItsOwnKind() {
    assertThat(Scheduler.reasonKind("no node has room for 512 MiB and 250 millicores"))
        .isEqualTo("no node has room for 512 MiB and 250 millicores");
  }
}
