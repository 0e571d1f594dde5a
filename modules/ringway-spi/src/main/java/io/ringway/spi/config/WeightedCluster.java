package io.ringway.spi.config;

import java.util.Objects;

/**
 * A cluster and its share of a route's requests.
 *
 * @param cluster name of a configured upstream cluster
 * @param weight share relative to the route's other clusters, 0..10000 (0 takes none; default 1)
 */
public record WeightedCluster(String cluster, int weight) {

  public WeightedCluster {
    Objects.requireNonNull(cluster, "cluster");
    if (weight < 0 || weight > 10_000) {
      throw new IllegalArgumentException("weight: " + weight + " is outside 0..10000");
    }
  }
}
