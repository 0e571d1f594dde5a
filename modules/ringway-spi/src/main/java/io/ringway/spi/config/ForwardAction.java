package io.ringway.spi.config;

import java.util.List;

/**
 * Proxies the request to an upstream cluster, picked by weight when several are given (canary splits).
 *
 * @param clusters one or more clusters with weights; one cluster of any weight takes everything
 * @param prefixRewrite replaces the matched path prefix (the route's {@code PREFIX} path) before forwarding;
 *     {@code null} keeps the path
 * @param hostRewrite the {@code Host} sent upstream; {@code null} keeps the client's
 */
public record ForwardAction(List<WeightedCluster> clusters, String prefixRewrite, String hostRewrite)
    implements RouteAction {

  public ForwardAction {
    clusters = List.copyOf(clusters);
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("clusters: at least one is required");
    }
  }

  /** Everything to one cluster, no rewrites. */
  public static ForwardAction to(String cluster) {
    return new ForwardAction(List.of(new WeightedCluster(cluster, 1)), null, null);
  }
}
