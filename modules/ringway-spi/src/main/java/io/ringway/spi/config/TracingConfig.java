package io.ringway.spi.config;

import java.util.Map;
import java.util.Objects;

/**
 * {@code http.tracing}: W3C trace context on every request, spans exported when an endpoint is given.
 *
 * @param sampleRatio share of new traces (requests without a sampled-or-not parent) whose spans are exported,
 *     0 to 1; a request with a {@code traceparent} follows its sampled flag
 * @param endpoint where spans go (OTLP over HTTP, e.g. {@code http://collector:4318/v1/traces}), or null: trace
 *     context is still propagated with this hop's span ids, nothing is exported
 * @param serviceName {@code service.name} of the exported spans
 * @param maxQueue spans waiting for export per event loop; more are dropped and counted
 * @param headers extra HTTP headers on every export (an API key)
 */
public record TracingConfig(double sampleRatio, String endpoint, String serviceName, int maxQueue,
                            Map<String, String> headers) {

  public static final double DEFAULT_SAMPLE_RATIO = 1.0;
  public static final String DEFAULT_SERVICE_NAME = "ringway";
  public static final int DEFAULT_MAX_QUEUE = 2048;

  public TracingConfig {
    Objects.requireNonNull(serviceName, "serviceName");
    headers = Map.copyOf(headers);
  }
}
