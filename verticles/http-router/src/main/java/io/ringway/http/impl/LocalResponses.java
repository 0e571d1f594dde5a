package io.ringway.http.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.DecoderException;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.RedirectAction;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Responses the router writes itself: errors, direct responses and redirects. */
final class LocalResponses {

  private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n"
      + "content-length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] INCOMPLETE_REQUEST = ("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n"
      + "content-length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private LocalResponses() {
  }

  /**
   * A 408 written as bytes through {@code writer} (the point of a pipeline where nothing frames writes), then the
   * close: a connection that sent no whole head in time.
   */
  static void requestTimeout(ChannelOutboundInvoker writer) {
    writer.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * A 400 written as bytes through {@code writer}, then the close: the client shut its sending side inside a request
   * head, which can then never be whole (what the decoding path answers to the same bytes).
   */
  static void incompleteRequest(ChannelOutboundInvoker writer) {
    writer.writeAndFlush(Unpooled.wrappedBuffer(INCOMPLETE_REQUEST)).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * A short plain-text error, unless a response head already left (then the stream is reset instead). An
   * HTTP/1 client still waiting for 100 Continue will not send its body now, so the connection closes after.
   */
  static void error(HttpServerRequest request, int status, String message) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    boolean close = !request.isEnded() && !response.headWritten() && expectsContinue(request)
        && request.version() != HttpVersion.HTTP_2;
    if (close) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    Future<Void> sent;
    if (GrpcStatus.isGrpc(request)) {
      GrpcStatus.answer(response, status, message);
      sent = response.end();
    } else {
      sent = response.setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .putHeader("via", ProxyHeaders.VIA)
          .end(message + "\n");
    }
    sent.onComplete(done -> {
      if (close) {
        request.connection().close();
      }
    });
  }

  /** An error after which the connection cannot be trusted to be in sync (unread body): closes it after. */
  static void errorAndClose(HttpServerRequest request, int status, String message) {
    if (request.version() == HttpVersion.HTTP_2) {
      // An HTTP/2 stream ends on its own and carries no connection-specific field (RFC 9113, 8.2.2).
      error(request, status, message);
      return;
    }
    if (!request.response().headWritten()) {
      request.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    error(request, status, message);
    request.connection().close();
  }

  /** Whether a request failed on its framing (a decoder's finding), rather than its connection breaking. */
  static boolean isBadFraming(Throwable cause) {
    return cause instanceof DecoderException || cause instanceof IllegalArgumentException
        || cause instanceof RefusedRequest;
  }

  /**
   * Sends 100 Continue when the client waits for it before sending its body: only once the request was routed
   * and its body is about to be read. An HTTP/1.0 request's expectation is ignored (RFC 9110 §10.1.1).
   */
  static void continueIfExpected(HttpServerRequest request) {
    if (expectsContinue(request) && !request.response().headWritten()) {
      request.response().writeContinue();
    }
  }

  private static boolean expectsContinue(HttpServerRequest request) {
    return request.version() != HttpVersion.HTTP_1_0
        && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
  }

  static void direct(HttpServerRequest request, DirectResponseAction action) {
    HttpServerResponse response = request.response().setStatusCode(action.status());
    if (action.body() == null || action.body().isEmpty()) {
      response.end();
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, action.contentType()).end(action.body());
    }
  }

  static void redirect(HttpServerRequest request, RedirectAction action) {
    String scheme = action.scheme() != null ? action.scheme() : request.isSSL() ? "https" : "http";
    String host = action.host() != null ? action.host()
        : request.authority() != null ? request.authority().toString() : "localhost";
    String path = action.path() != null ? action.path() : request.path();
    String query = request.query();
    String location = scheme + "://" + host + path + (query == null ? "" : "?" + query);
    request.response().setStatusCode(action.status()).putHeader(HttpHeaders.LOCATION, location).end();
  }
}
