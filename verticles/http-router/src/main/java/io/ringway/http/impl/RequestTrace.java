package io.ringway.http.impl;

import io.ringway.spi.http.FinishedSpan;
import io.ringway.spi.http.SpanSink;
import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.http.HttpServerRequest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One request's W3C trace context (https://www.w3.org/TR/trace-context/): the client's {@code traceparent} when it
 * is valid, else a new trace; a span id of this hop's own for the request, and one per upstream try, which is the
 * parent the upstream sees. Sampled spans go to the sink when they end; unsampled ones only propagate.
 */
final class RequestTrace {

  static final String TRACEPARENT = "traceparent";
  private static final HexFormat HEX = HexFormat.of();
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);

  final String traceId;
  final String spanId;
  /** The client's span, or null when this hop began the trace. */
  private final String parentSpanId;
  final boolean sampled;
  private final SpanSink sink;
  /** The instance's: ids are made on its loop only. */
  private final SplittableRandom random;
  private final long startEpochNanos;
  private final long startNanos;

  private RequestTrace(String traceId, String spanId, String parentSpanId, boolean sampled, SpanSink sink,
                       SplittableRandom random) {
    this.random = random;
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.sampled = sampled;
    this.sink = sink;
    this.startNanos = System.nanoTime();
    this.startEpochNanos = System.currentTimeMillis() * 1_000_000;
  }

  /**
   * Continues the client's trace, or starts one: a new trace is sampled with {@code sampleRatio}, decided by its
   * trace id (so every hop that uses the ratio rule agrees); a continued one keeps the client's sampled flag.
   */
  static RequestTrace start(HttpServerRequest request, double sampleRatio, SpanSink sink, SplittableRandom random) {
    String header = request.getHeader(TRACEPARENT);
    String[] parent = header == null ? null : parse(header);
    String spanId = id(random, 8);
    if (parent != null) {
      return new RequestTrace(parent[0], spanId, parent[1], parent[2].equals("01"), sink, random);
    }
    String traceId = id(random, 16);
    long bits = Long.parseUnsignedLong(traceId.substring(16), 16) >>> 1;
    return new RequestTrace(traceId, spanId, null, bits < (long) (sampleRatio * Long.MAX_VALUE) || sampleRatio >= 1,
        sink, random);
  }

  /** {@code [traceId, parentId, flags]} of a version-00 header, or null when it is malformed or all zero. */
  static String[] parse(String header) {
    String value = header.trim();
    if (value.length() != 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-'
        || !value.startsWith("00-")) {
      return null;
    }
    String traceId = value.substring(3, 35);
    String parentId = value.substring(36, 52);
    String flags = value.substring(53);
    if (!isLowerHex(traceId) || !isLowerHex(parentId) || !isLowerHex(flags) || traceId.equals(ZERO_TRACE)
        || parentId.equals(ZERO_SPAN)) {
      return null;
    }
    return new String[] {traceId, parentId, (Integer.parseInt(flags, 16) & 1) == 1 ? "01" : "00"};
  }

  private static boolean isLowerHex(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  private static String id(SplittableRandom random, int bytes) {
    byte[] id = new byte[bytes];
    do {
      random.nextBytes(id);
    } while (isZero(id));
    return HEX.formatHex(id);
  }

  private static boolean isZero(byte[] id) {
    for (byte b : id) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether the client sent a valid {@code traceparent} this hop continues. */
  boolean continued() {
    return parentSpanId != null;
  }

  /** A try's client span: made when the try starts; its id is the parent the upstream is told. */
  TrySpan newTry() {
    return new TrySpan(id(random, 8), System.nanoTime());
  }

  /** The {@code traceparent} an upstream receives for a try: this trace, the try's span, the sampled flag. */
  String traceparent(TrySpan attempt) {
    return "00-" + traceId + "-" + attempt.spanId + "-" + (sampled ? "01" : "00");
  }

  /** Ends a try's span: {@code status} of the upstream's response, or 0 with the failure. */
  void endTry(TrySpan attempt, String method, String cluster, Endpoint endpoint, int status, Throwable failure) {
    if (!sampled || sink == null || attempt.ended) {
      return;
    }
    attempt.ended = true;
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("http.request.method", method);
    attributes.put("server.address", endpoint.host());
    attributes.put("server.port", (long) endpoint.port());
    attributes.put("ringway.cluster", cluster);
    if (status > 0) {
      attributes.put("http.response.status_code", (long) status);
    }
    if (failure != null) {
      attributes.put("error.type", failure.getClass().getSimpleName());
    }
    sink.export(new FinishedSpan(traceId, attempt.spanId, spanId, method + " " + cluster, false,
        epoch(attempt.startNanos), epoch(System.nanoTime()), failure != null || status >= 500, attributes));
  }

  /** Ends the request's span with what the client got. */
  void finish(Outcome outcome) {
    if (!sampled || sink == null) {
      return;
    }
    HttpServerRequest request = outcome.request;
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("http.request.method", request.method().name());
    attributes.put("url.path", request.path());
    if (outcome.route != null) {
      attributes.put("http.route", outcome.route.name());
    }
    attributes.put("http.response.status_code", (long) outcome.status);
    attributes.put("network.protocol.version", request.version().alpnName());
    if (request.remoteAddress() != null) {
      attributes.put("client.address", request.remoteAddress().hostAddress());
    }
    String name = request.method().name() + (outcome.route == null ? "" : " " + outcome.route.name());
    sink.export(new FinishedSpan(traceId, spanId, parentSpanId, name, true, startEpochNanos,
        startEpochNanos + outcome.durationNanos, outcome.status >= 500 || outcome.status == 0, attributes));
  }

  private long epoch(long nanos) {
    return startEpochNanos + (nanos - startNanos);
  }

  /** The client span of one upstream try. */
  static final class TrySpan {
    final String spanId;
    final long startNanos;
    boolean ended;

    TrySpan(String spanId, long startNanos) {
      this.spanId = spanId;
      this.startNanos = startNanos;
    }
  }
}
