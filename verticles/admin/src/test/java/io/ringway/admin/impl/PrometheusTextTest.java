package io.ringway.admin.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.message.InstanceStats;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static InstanceStats instance(String id, long bytesIn, long active, long fast, long slow) {
    return InstanceStats.fromJson(new JsonObject("""
        {"verticle": "http-router", "instance": "%s", "instances": 2, "thread": "t", "configVersion": 3, "inFlight": %d,
         "listeners": [{"listener": "web", "host": "0.0.0.0", "port": 8080, "bytesIn": %d, "activeConnections": %d}],
         "routes": [{"route": "a\\"b", "2xx": 5, "5xx": 1,
                     "latencyMs": [{"le": 1, "count": %d}, {"le": 10, "count": 0}, {"le": -1, "count": %d}]}],
         "clusters": [{"cluster": "api", "endpoints": [{"address": "10.0.0.1:80", "healthy": %s, "totalConnections": 4}]}]}
        """.formatted(id, active, bytesIn, active, fast, slow, id.endsWith("1"))));
  }

  @Test
  void sumsInstancesIntoOneSeriesPerThingWithTypesLabelsAndCumulativeBuckets() {
    String text = PrometheusText.render(List.of(instance("r-1", 100, 2, 3, 1), instance("r-2", 50, 1, 4, 0)));

    assertThat(text.lines()).contains(
        "# TYPE ringway_http_router_listener_bytes_in_total counter",
        "ringway_http_router_listener_bytes_in_total{listener=\"web\",host=\"0.0.0.0\",port=\"8080\"} 150",
        "# TYPE ringway_http_router_listener_active_connections gauge",
        "ringway_http_router_listener_active_connections{listener=\"web\",host=\"0.0.0.0\",port=\"8080\"} 3",
        "ringway_http_router_in_flight 3",
        "# TYPE ringway_http_router_config_version gauge",
        "ringway_http_router_config_version 3",
        "ringway_http_router_route_responses_total{route=\"a\\\"b\",status_class=\"2xx\"} 10",
        "ringway_http_router_route_responses_total{route=\"a\\\"b\",status_class=\"5xx\"} 2",
        "# TYPE ringway_http_router_route_latency_ms histogram",
        "ringway_http_router_route_latency_ms_bucket{route=\"a\\\"b\",le=\"1\"} 7",
        "ringway_http_router_route_latency_ms_bucket{route=\"a\\\"b\",le=\"10\"} 7",
        "ringway_http_router_route_latency_ms_bucket{route=\"a\\\"b\",le=\"+Inf\"} 8",
        "ringway_http_router_route_latency_ms_count{route=\"a\\\"b\"} 8",
        // healthy is a state every instance reports of one endpoint: the largest value, not a sum
        "ringway_http_router_cluster_endpoint_healthy{cluster=\"api\",address=\"10.0.0.1:80\"} 1",
        "ringway_http_router_cluster_endpoint_total_connections_total{cluster=\"api\",address=\"10.0.0.1:80\"} 8",
        "ringway_verticle_instances{verticle=\"http-router\"} 2");
    assertThat(text).doesNotContain("thread", "r-1", "instances_total");
  }

  @Test
  void nothingToReportRendersNothing() {
    assertThat(PrometheusText.render(List.of())).isEmpty();
  }
}
