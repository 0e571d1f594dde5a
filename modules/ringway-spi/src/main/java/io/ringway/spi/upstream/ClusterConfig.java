package io.ringway.spi.upstream;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One upstream cluster as config describes it. Immutable; a reload builds a new one.
 *
 * @param name the name listeners and routes refer to; also the suffix of its event-bus addresses
 * @param endpoints the static endpoints; a message on {@code ringway.endpoints.<name>} replaces them
 * @param loadBalancer a {@link LoadBalancerFactory#name()}, checked with {@link LoadBalancerFactory#checkName}
 * @param healthCheck the active health check, or {@code null} for none
 * @param outlierDetection passive ejection on connect failures, or {@code null} for none
 * @param limits the circuit-breaker limits
 * @param connectTimeout limit on opening one upstream connection
 * @param sendProxyProtocol the PROXY protocol header written first on every upstream connection
 * @param protocol how HTTP routes speak to the endpoints (the TCP proxy ignores it)
 * @param tls TLS to the endpoints, or {@code null} for cleartext; {@link UpstreamProtocol#H2} needs it
 */
public record ClusterConfig(String name, List<Endpoint> endpoints, String loadBalancer, HealthCheckConfig healthCheck,
                            OutlierDetectionConfig outlierDetection, CircuitBreakerConfig limits,
                            Duration connectTimeout, ProxyProtocolVersion sendProxyProtocol,
                            UpstreamProtocol protocol, UpstreamTlsConfig tls) {

  public static final String DEFAULT_LOAD_BALANCER = "round_robin";
  /** Envoy's default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  public ClusterConfig {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank");
    }
    endpoints = List.copyOf(endpoints);
    Set<String> addresses = new HashSet<>();
    for (int i = 0; i < endpoints.size(); i++) {
      if (!addresses.add(endpoints.get(i).address())) {
        throw new IllegalArgumentException("endpoints[" + i + "]: duplicate address " + endpoints.get(i).address());
      }
    }
    Objects.requireNonNull(loadBalancer, "loadBalancer");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " must be positive");
    }
    Objects.requireNonNull(sendProxyProtocol, "sendProxyProtocol");
    Objects.requireNonNull(protocol, "protocol");
    if (protocol == UpstreamProtocol.H2 && tls == null) {
      throw new IllegalArgumentException("protocol: h2 is HTTP/2 over TLS and needs tls (h2c is the cleartext one)");
    }
    if (protocol == UpstreamProtocol.H2C && tls != null) {
      throw new IllegalArgumentException("protocol: h2c is cleartext; with tls use h2");
    }
  }

  /** A cleartext cluster, as before {@code tls} existed. */
  public ClusterConfig(String name, List<Endpoint> endpoints, String loadBalancer, HealthCheckConfig healthCheck,
                       OutlierDetectionConfig outlierDetection, CircuitBreakerConfig limits, Duration connectTimeout,
                       ProxyProtocolVersion sendProxyProtocol, UpstreamProtocol protocol) {
    this(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout, sendProxyProtocol,
        protocol, null);
  }

  /**
   * A cluster with the defaults: {@value #DEFAULT_LOAD_BALANCER}, no active health check, default
   * outlier detection and limits, a 5 s connect timeout, no PROXY protocol header, HTTP/1.1.
   */
  public static ClusterConfig of(String name, List<Endpoint> endpoints) {
    return new ClusterConfig(name, endpoints, DEFAULT_LOAD_BALANCER, null, OutlierDetectionConfig.defaults(),
        CircuitBreakerConfig.defaults(), DEFAULT_CONNECT_TIMEOUT, ProxyProtocolVersion.NONE, UpstreamProtocol.HTTP1);
  }

  public ClusterConfig withEndpoints(List<Endpoint> endpoints) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withLoadBalancer(String loadBalancer) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withHealthCheck(HealthCheckConfig healthCheck) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withOutlierDetection(OutlierDetectionConfig outlierDetection) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withLimits(CircuitBreakerConfig limits) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withConnectTimeout(Duration connectTimeout) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withSendProxyProtocol(ProxyProtocolVersion sendProxyProtocol) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withTls(UpstreamTlsConfig tls) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }

  public ClusterConfig withProtocol(UpstreamProtocol protocol) {
    return new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outlierDetection, limits, connectTimeout,
        sendProxyProtocol, protocol, tls);
  }
}
