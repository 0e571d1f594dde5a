package io.ringway.http.impl;

/**
 * What the access log knows of one finished request: captured on the loop (references and numbers only),
 * formatted later on the writer's thread. Null fields are written as {@code -}.
 */
record AccessLogEntry(long startMillis, String remote, String method, String uri, String path, String protocol,
                      String host, int status, long bytes, long bytesIn, long durationNanos, String route,
                      String upstream, String requestId, String userAgent, String traceId) {
}
