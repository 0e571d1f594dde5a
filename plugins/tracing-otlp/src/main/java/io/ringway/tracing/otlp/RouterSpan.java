package io.ringway.tracing.otlp;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.ringway.spi.http.FinishedSpan;
import java.util.List;
import java.util.Map;

/**
 * A router span as the SDK's exporter takes it. The router made the ids (they are on the wire already, in the
 * {@code traceparent} it sent upstream), so the span is handed over finished instead of being recorded by an SDK
 * tracer, which would make ids of its own.
 */
record RouterSpan(FinishedSpan span, Resource resource, InstrumentationScopeInfo scope, Attributes attributes)
    implements SpanData {

  static RouterSpan of(FinishedSpan span, Resource resource, InstrumentationScopeInfo scope) {
    AttributesBuilder attributes = Attributes.builder();
    for (Map.Entry<String, Object> entry : span.attributes().entrySet()) {
      switch (entry.getValue()) {
        case Long number -> attributes.put(entry.getKey(), number);
        case Boolean flag -> attributes.put(entry.getKey(), flag);
        default -> attributes.put(entry.getKey(), String.valueOf(entry.getValue()));
      }
    }
    return new RouterSpan(span, resource, scope, attributes.build());
  }

  @Override
  public String getName() {
    return span.name();
  }

  @Override
  public SpanKind getKind() {
    return span.server() ? SpanKind.SERVER : SpanKind.CLIENT;
  }

  @Override
  public SpanContext getSpanContext() {
    return SpanContext.create(span.traceId(), span.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
  }

  @Override
  public SpanContext getParentSpanContext() {
    return span.parentSpanId() == null ? SpanContext.getInvalid()
        : SpanContext.createFromRemoteParent(span.traceId(), span.parentSpanId(), TraceFlags.getSampled(),
            TraceState.getDefault());
  }

  @Override
  public StatusData getStatus() {
    return span.error() ? StatusData.create(StatusCode.ERROR, "") : StatusData.unset();
  }

  @Override
  public long getStartEpochNanos() {
    return span.startEpochNanos();
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public List<EventData> getEvents() {
    return List.of();
  }

  @Override
  public List<LinkData> getLinks() {
    return List.of();
  }

  @Override
  public long getEndEpochNanos() {
    return span.endEpochNanos();
  }

  @Override
  public boolean hasEnded() {
    return true;
  }

  @Override
  public int getTotalRecordedEvents() {
    return 0;
  }

  @Override
  public int getTotalRecordedLinks() {
    return 0;
  }

  @Override
  public int getTotalAttributeCount() {
    return attributes.size();
  }

  @Override
  @SuppressWarnings("deprecation")
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion());
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public Resource getResource() {
    return resource;
  }
}
