package io.ringway.http.impl;

import io.ringway.spi.config.AccessLogConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;

/** One instance's use of an {@link AccessLogWriter}: its compiled format and its own counters (loop only). */
final class AccessLog {

  final AccessLogConfig config;
  private final AccessLogWriter writer;
  private final AccessLogFormat format;
  private long logged;
  private long dropped;

  AccessLog(AccessLogConfig config) {
    this.config = config;
    this.format = AccessLogFormat.compile(config.format());
    this.writer = AccessLogWriter.acquire(config);
  }

  /** Queues the line of a finished request, or counts it dropped when the writer is behind. */
  void log(Outcome outcome) {
    HttpServerRequest request = outcome.request;
    if (request == null) {
      logBytes(outcome);
      return;
    }
    AccessLogEntry entry = new AccessLogEntry(outcome.startMillis,
        request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
        request.method().name(), request.uri(), request.path(), protocol(request.version()),
        request.authority() == null ? null : request.authority().toString(), outcome.status,
        request.response().bytesWritten(), request.bytesRead(), outcome.durationNanos,
        outcome.route == null ? null : outcome.route.name(),
        outcome.upstream == null ? null : outcome.upstream.host() + ":" + outcome.upstream.port(),
        outcome.requestId, request.getHeader("user-agent"), outcome.trace == null ? null : outcome.trace.traceId);
    offer(entry);
  }

  /** A byte-level request's line: its facts were read from the head, when an access log was on. */
  private void logBytes(Outcome outcome) {
    Outcome.ByteRequestFacts request = outcome.bytes;
    if (request == null) {
      // It started before this access log did: nothing was kept of it.
      return;
    }
    offer(new AccessLogEntry(outcome.startMillis, request.remote(), request.method(), request.uri(), request.path(),
        "HTTP/1.1", request.host(), outcome.status, outcome.bytesOut, request.bytesIn(), outcome.durationNanos,
        outcome.route == null ? null : outcome.route.name(),
        outcome.upstream == null ? null : outcome.upstream.host() + ":" + outcome.upstream.port(),
        outcome.requestId, request.userAgent(), null));
  }

  private void offer(AccessLogEntry entry) {
    if (writer.offer(entry, format)) {
      logged++;
    } else {
      dropped++;
    }
  }

  void close() {
    writer.release();
  }

  JsonObject statsJson() {
    return new JsonObject().put("path", config.path()).put("logged", logged).put("dropped", dropped);
  }

  private static String protocol(HttpVersion version) {
    return switch (version) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2";
    };
  }
}
