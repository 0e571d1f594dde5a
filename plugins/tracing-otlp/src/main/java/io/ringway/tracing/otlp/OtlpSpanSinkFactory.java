package io.ringway.tracing.otlp;

import io.ringway.spi.config.TracingConfig;
import io.ringway.spi.http.SpanSink;
import io.ringway.spi.http.SpanSinkFactory;

/** {@code http.tracing.endpoint} exported over OTLP/HTTP: see the module README. */
public final class OtlpSpanSinkFactory implements SpanSinkFactory {

  @Override
  public SpanSink create(TracingConfig config) {
    return new OtlpSpanSink(config);
  }
}
