package io.ringway.spi.upstream;

/**
 * Chooses an endpoint for one connection or request. One instance serves one cluster on one event
 * loop, for one endpoint list; a changed list gets a new instance. Not thread-safe by design.
 */
public interface LoadBalancer {

  /**
   * Chooses among the endpoints {@link PickContext#isCandidate(int) the context allows}.
   *
   * @return the chosen endpoint's index in the list this balancer was created for, or {@code -1}
   *     when no endpoint is a candidate
   */
  int choose(PickContext context);
}
