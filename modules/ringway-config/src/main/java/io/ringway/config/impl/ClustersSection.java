package io.ringway.config.impl;

import io.ringway.spi.config.Durations;
import io.ringway.spi.tls.PemFiles;
import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.spi.upstream.HealthCheckPayload;
import io.ringway.spi.upstream.LoadBalancerFactory;
import io.ringway.spi.upstream.OutlierDetectionConfig;
import io.ringway.spi.upstream.ProxyProtocolVersion;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.spi.upstream.UpstreamTlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code clusters}: the upstream clusters that TCP listeners and HTTP routes send traffic to.
 * <pre>
 * clusters:
 *   - name: api
 *     endpoints: [{host: 10.0.0.1, port: 8080, weight: 2}, {host: 10.0.0.2, port: 8080}]
 *     loadBalancer: least_request          # round_robin | least_request | random | maglev
 *     connectTimeout: 5s
 *     healthCheck: {interval: 5s, timeout: 2s, healthyThreshold: 2, unhealthyThreshold: 3, send: "PING", expect: "PONG"}
 *     # or, for gRPC endpoints (h2c): healthCheck: {interval: 5s, grpc: {service: "pkg.Service"}}
 *     outlierDetection: {consecutiveConnectFailures: 5, baseEjectionTime: 30s, maxEjectionTime: 300s, maxEjectedPercent: 10}
 *     limits: {maxConnections: 1024, maxPendingConnects: 1024, maxPendingRequests: 1024}   # requests over the first
 *                                          # two wait, up to maxPendingRequests of them (0: refused at once)
 *     sendProxyProtocol: none              # none | v1 | v2
 *     protocol: http1                      # http1 | h2c (HTTP/2 prior knowledge) | h2 (over tls, by ALPN); HTTP routes only
 *     tls: {caFile: /etc/ringway/upstream-ca.pem, sni: api.internal, verifyHostname: true,
 *           certFile: /etc/ringway/client.pem, keyFile: /etc/ringway/client.key}   # HTTP routes and health checks
 * </pre>
 *
 * <p>With {@code tls} the endpoint's certificate must chain to {@code caFile} (the JVM's trust store without it)
 * and name {@code sni} (the endpoint's host without it); {@code insecureSkipVerify: true} alone turns that off.
 */
final class ClustersSection {

  private static final Duration MS = Duration.ofMillis(1);
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Pattern DNS_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private ClustersSection() {
  }

  static List<ClusterConfig> read(ConfigReader root) {
    List<String> balancers = LoadBalancerFactory.installed().keySet().stream().sorted().toList();
    Map<String, String> firstSeenAt = new HashMap<>();
    List<ClusterConfig> clusters = new ArrayList<>();
    for (ConfigReader cluster : root.objects("clusters")) {
      String name = cluster.string("name", null);
      if (name == null) {
        cluster.fail("name", "required");
      } else if (firstSeenAt.putIfAbsent(name, cluster.pathOf("name")) != null) {
        cluster.fail("name", "duplicate cluster \"" + name + "\" (already at " + firstSeenAt.get(name) + ")");
      }
      List<Endpoint> endpoints = endpoints(cluster);
      String loadBalancer = cluster.string("loadBalancer", ClusterConfig.DEFAULT_LOAD_BALANCER);
      if (!balancers.isEmpty() && !balancers.contains(loadBalancer)) {
        cluster.fail("loadBalancer", "unknown load balancer \"" + loadBalancer + "\" (known: " + String.join(", ", balancers) + ")");
      }
      Duration connectTimeout = cluster.duration("connectTimeout", MS, HOUR, ClusterConfig.DEFAULT_CONNECT_TIMEOUT);
      HealthCheckConfig healthCheck = healthCheck(cluster);
      OutlierDetectionConfig outliers = outlierDetection(cluster);
      ConfigReader limits = cluster.object("limits");
      CircuitBreakerConfig breaker = new CircuitBreakerConfig(
          limits.integer("maxConnections", 1, 1_000_000, CircuitBreakerConfig.DEFAULT_LIMIT),
          limits.integer("maxPendingConnects", 1, 1_000_000, CircuitBreakerConfig.DEFAULT_LIMIT),
          limits.integer("maxPendingRequests", 0, 1_000_000, CircuitBreakerConfig.DEFAULT_LIMIT));
      limits.rejectUnknownKeys();
      ProxyProtocolVersion proxyProtocol = proxyProtocol(cluster);
      UpstreamProtocol protocol = protocol(cluster);
      UpstreamTlsConfig tls = cluster.given("tls") ? tls(cluster.object("tls")) : null;
      cluster.rejectUnknownKeys();
      if (protocol == UpstreamProtocol.H2 && !cluster.given("tls")) {
        cluster.fail("protocol", "h2 is HTTP/2 over TLS: add tls (h2c is the cleartext one)");
      } else if (protocol == UpstreamProtocol.H2C && cluster.given("tls")) {
        cluster.fail("protocol", "h2c is cleartext; with tls use h2");
      }
      // After an error the readers hand back defaults, so building is safe; the config is refused anyway.
      if (name != null) {
        boolean mismatch = (protocol == UpstreamProtocol.H2) == (tls == null) && protocol != UpstreamProtocol.HTTP1;
        clusters.add(new ClusterConfig(name, endpoints, loadBalancer, healthCheck, outliers, breaker, connectTimeout,
            proxyProtocol, mismatch ? UpstreamProtocol.HTTP1 : protocol, tls));
      }
    }
    return clusters;
  }

  /** The endpoints that are whole and not repeated. */
  private static List<Endpoint> endpoints(ConfigReader cluster) {
    List<Endpoint> endpoints = new ArrayList<>();
    Map<String, String> firstSeenAt = new HashMap<>();
    for (ConfigReader endpoint : cluster.objects("endpoints")) {
      String host = endpoint.string("host", null);
      if (host == null) {
        endpoint.fail("host", "required");
      }
      int port = endpoint.integer("port", 1, 65535, 0);
      if (port == 0 && !endpoint.has("port")) {
        endpoint.fail("port", "required");
      }
      int weight = endpoint.integer("weight", 1, Endpoint.MAX_WEIGHT, Endpoint.DEFAULT_WEIGHT);
      endpoint.rejectUnknownKeys();
      if (host == null || port == 0) {
        continue;
      }
      Endpoint parsed = new Endpoint(host, port, weight);
      String seen = firstSeenAt.putIfAbsent(parsed.address(), endpoint.pathOf("host"));
      if (seen != null) {
        endpoint.fail("port", "duplicate endpoint " + parsed.address() + " (already at " + seen + ")");
      } else {
        endpoints.add(parsed);
      }
    }
    return endpoints;
  }

  /** The active health check, or null when the cluster has none. */
  private static HealthCheckConfig healthCheck(ConfigReader cluster) {
    if (!cluster.has("healthCheck")) {
      return null;
    }
    ConfigReader check = cluster.object("healthCheck");
    Duration interval = check.duration("interval", MS, HOUR, HealthCheckConfig.DEFAULT_INTERVAL);
    Duration timeout = check.duration("timeout", MS, HOUR, HealthCheckConfig.DEFAULT_TIMEOUT);
    int healthy = check.integer("healthyThreshold", 1, 100, HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD);
    int unhealthy = check.integer("unhealthyThreshold", 1, 100, HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD);
    HealthCheckPayload send = payload(check, "send");
    HealthCheckPayload expect = payload(check, "expect");
    String grpcService = null;
    if (check.has("grpc")) {
      ConfigReader grpc = check.object("grpc");
      grpcService = grpc.has("service") ? grpc.string("service", "") : "";
      grpc.rejectUnknownKeys();
      if (send != null || expect != null) {
        check.fail("grpc", "a gRPC health check sends and expects its own messages: drop send/expect");
        send = null;
        expect = null;
      }
    }
    check.rejectUnknownKeys();
    if (timeout.compareTo(interval) > 0) {
      check.fail("timeout", "must not exceed interval (" + Durations.format(interval) + "), got " + Durations.format(timeout));
      timeout = interval;
    }
    return new HealthCheckConfig(interval, timeout, healthy, unhealthy, send, expect, grpcService);
  }

  /** {@code send: "text"} or {@code sendHex: "0a0b"}; null for none. */
  private static HealthCheckPayload payload(ConfigReader check, String key) {
    String text = check.optionalString(key);
    String hex = check.optionalString(key + "Hex");
    if (text != null && hex != null) {
      check.fail(key + "Hex", "give either " + key + " or " + key + "Hex, not both");
      return null;
    }
    if (hex != null) {
      try {
        HexFormat.of().parseHex(hex);
        return HealthCheckPayload.hex(hex);
      } catch (IllegalArgumentException e) {
        check.fail(key + "Hex", "expected an even number of hex digits, got \"" + hex + "\"");
        return null;
      }
    }
    return text == null ? null : HealthCheckPayload.text(text);
  }

  /** Outlier detection, on with defaults unless config says {@code outlierDetection: false} (then null). */
  private static OutlierDetectionConfig outlierDetection(ConfigReader cluster) {
    if (cluster.isFalse("outlierDetection")) {
      return null;
    }
    ConfigReader outliers = cluster.object("outlierDetection");
    int failures = outliers.integer("consecutiveConnectFailures", 1, 1000,
        OutlierDetectionConfig.DEFAULT_CONSECUTIVE_CONNECT_FAILURES);
    Duration base = outliers.duration("baseEjectionTime", MS, HOUR, OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME);
    Duration max = outliers.duration("maxEjectionTime", MS, Duration.ofDays(1), OutlierDetectionConfig.DEFAULT_MAX_EJECTION_TIME);
    int percent = outliers.integer("maxEjectedPercent", 0, 100, OutlierDetectionConfig.DEFAULT_MAX_EJECTED_PERCENT);
    outliers.rejectUnknownKeys();
    if (max.compareTo(base) < 0) {
      outliers.fail("maxEjectionTime", "must be at least baseEjectionTime (" + Durations.format(base) + "), got " + Durations.format(max));
      max = base;
    }
    return new OutlierDetectionConfig(failures, base, max, percent);
  }

  private static ProxyProtocolVersion proxyProtocol(ConfigReader cluster) {
    String text = cluster.string("sendProxyProtocol", "none");
    try {
      return ProxyProtocolVersion.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      cluster.fail("sendProxyProtocol", "expected none, v1 or v2, got \"" + text + "\"");
      return ProxyProtocolVersion.NONE;
    }
  }

  private static UpstreamProtocol protocol(ConfigReader cluster) {
    String text = cluster.string("protocol", UpstreamProtocol.HTTP1.configName());
    for (UpstreamProtocol protocol : UpstreamProtocol.values()) {
      if (protocol.configName().equals(text)) {
        return protocol;
      }
    }
    cluster.fail("protocol", "expected http1, h2c or h2, got \"" + text + "\"");
    return UpstreamProtocol.HTTP1;
  }

  /** {@code tls} of a cluster; the files are read and parsed here, as the router will load them. */
  private static UpstreamTlsConfig tls(ConfigReader tls) {
    String caFile = tls.optionalString("caFile");
    String sni = tls.optionalString("sni");
    boolean verifyHostname = tls.bool("verifyHostname", true);
    String certFile = tls.optionalString("certFile");
    String keyFile = tls.optionalString("keyFile");
    boolean insecure = tls.bool("insecureSkipVerify", false);
    tls.rejectUnknownKeys();
    if (caFile != null) {
      try {
        PemFiles.bundle("caFile", caFile);
      } catch (PemFiles.BadFile bad) {
        tls.fail("caFile", bad.getMessage());
      }
    }
    if (sni != null && !DNS_NAME.matcher(sni).matches()) {
      tls.fail("sni", "expected a DNS name such as api.internal, got \"" + sni + "\"");
    }
    if ((certFile == null) != (keyFile == null)) {
      tls.fail(certFile == null ? "certFile" : "keyFile", "certFile and keyFile come together (a client certificate"
          + " and its key)");
      return null;
    }
    if (certFile != null) {
      try {
        PemFiles.keyPair(certFile, keyFile);
      } catch (PemFiles.BadFile bad) {
        tls.fail(bad.key(), bad.getMessage());
      }
    }
    return new UpstreamTlsConfig(caFile, sni, verifyHostname, certFile, keyFile, insecure);
  }
}
