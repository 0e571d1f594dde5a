package io.ringway.tracing.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.ringway.spi.config.TracingConfig;
import io.ringway.spi.http.FinishedSpan;
import io.ringway.spi.http.SpanSink;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spans queued on the event loop (bounded: a full queue drops and counts), sent in batches by one daemon thread of
 * this sink's own through the SDK's {@code OtlpHttpSpanExporter} (protobuf over HTTP, the JDK's HttpClient), so the
 * loop never waits for a collector.
 */
final class OtlpSpanSink implements SpanSink {

  private static final int BATCH = 512;
  private static final long FLUSH_MILLIS = 1000;
  private static final long EXPORT_TIMEOUT_SECONDS = 10;

  private final BlockingQueue<FinishedSpan> queue;
  private final OtlpHttpSpanExporter exporter;
  private final Resource resource;
  private final InstrumentationScopeInfo scope = InstrumentationScopeInfo.create("io.ringway.http-router");
  private final Thread sender;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failedExports = new AtomicLong();
  private volatile boolean closed;

  OtlpSpanSink(TracingConfig config) {
    this.queue = new ArrayBlockingQueue<>(config.maxQueue());
    OtlpHttpSpanExporterBuilder builder = OtlpHttpSpanExporter.builder().setEndpoint(config.endpoint())
        .setTimeout(EXPORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    config.headers().forEach(builder::addHeader);
    this.exporter = builder.build();
    this.resource = Resource.getDefault().merge(Resource.create(
        Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName())));
    this.sender = Thread.ofPlatform().daemon().name("ringway-otlp-export").start(this::send);
  }

  @Override
  public void export(FinishedSpan span) {
    if (closed || !queue.offer(span)) {
      dropped.incrementAndGet();
      return;
    }
    queued.incrementAndGet();
  }

  private void send() {
    List<FinishedSpan> batch = new ArrayList<>(BATCH);
    while (!closed || !queue.isEmpty()) {
      try {
        FinishedSpan first = queue.poll(FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        exportBatch(batch);
        batch.clear();
      } catch (InterruptedException e) {
        closed = true;
      }
    }
  }

  private void exportBatch(List<FinishedSpan> batch) {
    List<SpanData> spans = new ArrayList<>(batch.size());
    batch.forEach(span -> spans.add(RouterSpan.of(span, resource, scope)));
    CompletableResultCode result = exporter.export(spans).join(EXPORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (result.isSuccess()) {
      exported.addAndGet(batch.size());
    } else {
      failedExports.incrementAndGet();
    }
  }

  @Override
  public JsonObject stats() {
    return new JsonObject().put("spansQueued", queued.get()).put("spansExported", exported.get())
        .put("spansDropped", dropped.get()).put("exportFailures", failedExports.get());
  }

  @Override
  public void close() {
    closed = true;
    try {
      sender.join(TimeUnit.SECONDS.toMillis(EXPORT_TIMEOUT_SECONDS + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exporter.shutdown().join(EXPORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
