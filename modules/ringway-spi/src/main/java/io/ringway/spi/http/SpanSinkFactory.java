package io.ringway.spi.http;

import io.ringway.spi.config.TracingConfig;

/** Makes span sinks for {@code http.tracing.endpoint}; found by {@code ServiceLoader} (the first one installed). */
public interface SpanSinkFactory {

  /** A sink exporting to {@code config.endpoint()}; called once per router instance and config. */
  SpanSink create(TracingConfig config);
}
