package io.ringway.spi;

/** Where a node is in its life; only {@link #READY} is ready for traffic. */
public enum NodePhase {
  STARTING,
  READY,
  DRAINING
}
