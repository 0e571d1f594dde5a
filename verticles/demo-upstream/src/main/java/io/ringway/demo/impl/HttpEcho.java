package io.ringway.demo.impl;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code POST /echo}: streams the request body back as it arrives, never holding more than the
 * write queue, so a proxy can be tested with bodies larger than any buffer.
 */
final class HttpEcho {

  private HttpEcho() {
  }

  static void echo(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    String contentLength = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (contentLength != null) {
      // Same framing as the request, so a test through the proxy sees lengths survive.
      response.putHeader(HttpHeaders.CONTENT_LENGTH, contentLength);
    } else {
      response.setChunked(true);
    }
    // On a broken upload, ending the response would pass a truncated body off as complete.
    request.pipe().endOnFailure(false).to(response).onFailure(cause -> response.reset());
  }
}
