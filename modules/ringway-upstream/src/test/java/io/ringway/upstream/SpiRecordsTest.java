package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.ConfigError;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.spi.upstream.HealthCheckPayload;
import io.ringway.spi.upstream.HealthTransition;
import io.ringway.spi.upstream.LoadBalancerFactory;
import io.ringway.spi.upstream.OutlierDetectionConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SPI records this module defines, checked here since the SPI module has no tests of its own. */
class SpiRecordsTest {

  @Test
  void anEndpointIsValidatedWhenBuilt() {
    assertThatThrownBy(() -> new Endpoint("h", 0, 1)).hasMessageContaining("port: 0");
    assertThatThrownBy(() -> new Endpoint("h", 65536, 1)).hasMessageContaining("port: 65536");
    assertThatThrownBy(() -> new Endpoint("h", 80, 0)).hasMessageContaining("weight: 0");
    assertThatThrownBy(() -> new Endpoint("h", 80, 129)).hasMessageContaining("weight: 129");
    assertThatThrownBy(() -> new Endpoint(" ", 80, 1)).hasMessageContaining("host");
    assertThat(new Endpoint("h", 65535, 128).address()).isEqualTo("h:65535");
    assertThat(Endpoint.of("::1", 80).address()).isEqualTo("[::1]:80");
  }

  @Test
  void messagesSurviveTheirJsonForm() {
    EndpointsUpdate update = new EndpointsUpdate("api", List.of(new Endpoint("10.0.0.1", 80, 3), Endpoint.of("b", 81)));
    assertThat(EndpointsUpdate.fromJson(new JsonObject(update.toJson().encode()))).isEqualTo(update);
    HealthTransition transition = new HealthTransition("10.0.0.1:80", false, "timeout after 100 ms");
    assertThat(HealthTransition.fromJson(new JsonObject(transition.toJson().encode()))).isEqualTo(transition);
    assertThat(Endpoint.fromJson(new JsonObject().put("host", "a").put("port", 1)).weight()).isEqualTo(1);
    assertThatThrownBy(() -> EndpointsUpdate.fromJson(new JsonObject("{\"cluster\":\"api\",\"endpoints\":[{\"host\":\"a\"}]}")))
        .hasMessage("endpoints[0].port: missing");
  }

  @Test
  void payloadsKeepTheirWrittenFormAndGiveBytes() {
    assertThat(HealthCheckPayload.hex("0d0A").bytes()).containsExactly(13, 10);
    assertThat(HealthCheckPayload.text("PING").bytes()).containsExactly('P', 'I', 'N', 'G');
    assertThat(HealthCheckPayload.hex("0d0a")).isNotEqualTo(HealthCheckPayload.text("0d0a"));
    assertThatThrownBy(() -> HealthCheckPayload.hex("abc")).hasMessageContaining("hex");
    assertThatThrownBy(() -> HealthCheckPayload.text("")).hasMessageContaining("empty");
  }

  @Test
  void defaultsAreValidAndDocumented() {
    ClusterConfig config = ClusterConfig.of("web", List.of(Endpoint.of("127.0.0.1", 9001)));
    assertThat(config.loadBalancer()).isEqualTo("round_robin");
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.healthCheck()).isNull();
    assertThat(config.outlierDetection()).isEqualTo(OutlierDetectionConfig.defaults());
    assertThat(config.limits().maxConnections()).isEqualTo(1024);
    assertThat(HealthCheckConfig.defaults().unhealthyThreshold()).isEqualTo(3);
    assertThatThrownBy(() -> new OutlierDetectionConfig(5, Duration.ofSeconds(30), Duration.ofSeconds(10), 10))
        .hasMessageContaining("maxEjectionTime");
    assertThatThrownBy(() -> config.withEndpoints(List.of(Endpoint.of("a", 1), new Endpoint("a", 1, 2))))
        .hasMessage("endpoints[1]: duplicate address a:1");
  }

  @Test
  void policiesAreFoundByName() {
    assertThat(LoadBalancerFactory.installed()).containsOnlyKeys("least_request", "maglev", "random", "round_robin");
    assertThat(LoadBalancerFactory.checkName("maglev", "clusters[0].loadBalancer")).isEmpty();
    assertThat(LoadBalancerFactory.checkName("ring", "clusters[0].loadBalancer")).contains(new ConfigError(
        "clusters[0].loadBalancer", "unknown load balancer \"ring\" (known: least_request, maglev, random, round_robin)"));
  }
}
