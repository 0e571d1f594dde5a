package io.ringway.spi.http;

import java.util.Map;

/**
 * One span the router finished: the server span of a request, or the client span of one upstream try.
 *
 * @param traceId 32 lower-case hex digits
 * @param spanId 16 lower-case hex digits
 * @param parentSpanId the parent's span id, or null for a root span
 * @param name {@code <method> <route>} for a request, {@code <method> <cluster>} for a try
 * @param server whether this is the request's server span (else a client span of a try)
 * @param startEpochNanos start, nanoseconds since the epoch
 * @param endEpochNanos end, nanoseconds since the epoch
 * @param error whether it failed (5xx, no response, a failed try)
 * @param attributes OpenTelemetry semantic-convention attributes (String, Long or Boolean values)
 */
public record FinishedSpan(String traceId, String spanId, String parentSpanId, String name, boolean server,
                           long startEpochNanos, long endEpochNanos, boolean error, Map<String, Object> attributes) {
}
