package io.ringway.admin.impl;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.CollectedStats;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /stats}: the counters of every data-plane verticle instance, summed, in the Prometheus
 * text format, followed by the JVM, process and event-loop meters of {@code registry}.
 * {@code ?scope=cluster} sums over every member of the cluster instead of this node;
 * {@code ?format=json} gives the instances' answers as they came.
 */
public final class StatsHandler implements Handler<RoutingContext> {

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final StatsCollector node;
  private final ClusterStatsCollector cluster;
  private final PrometheusMeterRegistry registry;

  public StatsHandler(StatsCollector node, ClusterStatsCollector cluster, PrometheusMeterRegistry registry) {
    this.node = node;
    this.cluster = cluster;
    this.registry = registry;
  }

  @Override
  public void handle(RoutingContext routing) {
    String scope = routing.queryParams().get("scope");
    if (scope != null && !scope.equals("node") && !scope.equals("cluster")) {
      AdminResponses.error(routing, 400, "scope: expected node or cluster, got \"" + scope + "\"");
      return;
    }
    boolean clusterScope = "cluster".equals(scope);
    Future<CollectedStats> collected = clusterScope ? cluster.collect() : node.collect();
    collected.onSuccess(stats -> {
      if ("json".equals(routing.queryParams().get("format"))) {
        routing.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("scope", clusterScope ? "cluster" : "node").mergeIn(stats.toJson()).encode());
        return;
      }
      String text = "# TYPE ringway_stats_complete gauge\nringway_stats_complete " + (stats.complete() ? 1 : 0) + "\n"
          + PrometheusText.render(stats.instances())
          // JVM meters are this node's own: summing heaps over members would mean nothing.
          + (clusterScope ? "" : registry.scrape());
      routing.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(text);
    }).onFailure(routing::fail);
  }
}
