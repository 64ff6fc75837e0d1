package io.drover.controller.state;

/** Applies {@link StateCommand}s to a {@link DesiredState}; snapshots it as JSON. */
final class DesiredStateMachine implements StateMachine<StateCommand> {
  private final DesiredState state = new DesiredState();
  private final DesiredStateCodec codec;

  DesiredStateMachine(DesiredStateCodec codec) {
    this.codec = codec;
  }

  DesiredState state() {
    return state;
  }

  @Override
  public void apply(long index, StateCommand command) {
    if (index <= state.index()) {
      throw new IllegalStateException(
          "index " + index + " is not after the last applied, " + state.index());
    }
    state.apply(index, command);
  }

  @Override
  public long lastAppliedIndex() {
    return state.index();
  }

  @Override
  public byte[] snapshot() {
    return codec.encodeImage(state.image());
  }

  @Override
  public void restore(long index, byte[] snapshot) {
    // Decoded whole before anything changes: a snapshot that does not read leaves the state as is.
    DesiredState.Image image = codec.decodeImage(snapshot);
    state.replace(index, image);
  }
}
