package io.ringway.spi.http;

import io.vertx.core.json.JsonObject;

/**
 * Where one router instance's finished spans go. {@link #export} is called on the event loop and must not block:
 * queue, and send from elsewhere.
 */
public interface SpanSink {

  /** Takes a sampled span; a full queue drops it and counts the drop. */
  void export(FinishedSpan span);

  /** Counters for {@code /stats}: spans queued, exported, dropped, failed exports. */
  JsonObject stats();

  /** Sends what is queued (bounded in time) and stops. */
  void close();
}
