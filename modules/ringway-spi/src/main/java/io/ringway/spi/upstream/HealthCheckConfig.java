package io.ringway.spi.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health check: a TCP connect to each endpoint every interval, optionally a request and an
 * expected response prefix; or, with {@code grpcService}, a gRPC health check ({@code grpc.health.v1.Health/Check}
 * over h2c) that passes only on SERVING. Thresholds damp flapping: one lost probe does not take an endpoint out.
 *
 * @param interval time between two probes of one endpoint
 * @param timeout limit on one probe, connect and response included
 * @param healthyThreshold probes in a row that must pass to mark an unhealthy endpoint healthy
 * @param unhealthyThreshold probes in a row that must fail to mark a healthy endpoint unhealthy
 * @param send bytes written once connected, or {@code null} to only connect
 * @param expect prefix the response must start with, or {@code null} when connecting is enough
 * @param grpcService the service a gRPC health check asks about ({@code ""}: the server as a whole), or
 *     {@code null} for the TCP check
 */
public record HealthCheckConfig(Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold,
                                HealthCheckPayload send, HealthCheckPayload expect, String grpcService) {

  /** Defaults follow HAProxy's {@code check}: rise 2, fall 3. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

  public HealthCheckConfig {
    requirePositive("interval", interval);
    requirePositive("timeout", timeout);
    if (healthyThreshold < 1) {
      throw new IllegalArgumentException("healthyThreshold: " + healthyThreshold + " must be at least 1");
    }
    if (unhealthyThreshold < 1) {
      throw new IllegalArgumentException("unhealthyThreshold: " + unhealthyThreshold + " must be at least 1");
    }
    if (grpcService != null && (send != null || expect != null)) {
      throw new IllegalArgumentException("grpc: a gRPC health check sends and expects its own messages, not send/expect");
    }
  }

  /** A TCP check. */
  public HealthCheckConfig(Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold,
                           HealthCheckPayload send, HealthCheckPayload expect) {
    this(interval, timeout, healthyThreshold, unhealthyThreshold, send, expect, null);
  }

  /** This check as a gRPC health check asking about {@code service} ({@code ""}: the whole server). */
  public HealthCheckConfig withGrpcService(String service) {
    return new HealthCheckConfig(interval, timeout, healthyThreshold, unhealthyThreshold, null, null, service);
  }

  /** A connect-only check with the documented defaults. */
  public static HealthCheckConfig defaults() {
    return new HealthCheckConfig(DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_HEALTHY_THRESHOLD,
        DEFAULT_UNHEALTHY_THRESHOLD, null, null);
  }

  /** This check with a request and an expected response prefix ({@code null} for none). */
  public HealthCheckConfig withPayloads(HealthCheckPayload send, HealthCheckPayload expect) {
    return new HealthCheckConfig(interval, timeout, healthyThreshold, unhealthyThreshold, send, expect, grpcService);
  }

  private static void requirePositive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + ": " + value + " must be positive");
    }
  }
}
