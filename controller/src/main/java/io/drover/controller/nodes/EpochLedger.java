package io.drover.controller.nodes;

/**
 * Where the highest session epoch of each node is kept, so that epochs never go backwards, not even
 * across a controller restart.
 */
public interface EpochLedger {
  /** The highest epoch issued to the node; 0 if none was. */
  long highest(String nodeId);

  /** Records an epoch before it reaches the node. */
  void issued(String nodeId, long epoch);

  /** Remembers nothing: the agents' memory of their last epoch is all there is. */
  EpochLedger NONE =
      new EpochLedger() {
        @Override
        public long highest(String nodeId) {
          return 0;
        }

        @Override
        public void issued(String nodeId, long epoch) {}
      };
}
