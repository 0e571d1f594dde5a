package io.ringway.admin.impl;

import io.netty.util.AsciiString;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's request decoder, reading each field name as it was sent. Vert.x 5.0.10 maps a name to a well-known one by
 * its length and some of its bytes, so {@code Content-Nength: 5} (any byte in place of the L) was read here as a
 * Content-Length. nginx, HAProxy and the router read it as the field of no meaning it is (RFC 9110 §5.1): behind any
 * of them the admin server took the bytes after such a head for its body, so the next request on the connection, which
 * may be another client's, was eaten as a body and its answer went to the wrong request (request smuggling).
 */
public final class ExactFieldNameDecoder extends VertxHttpRequestDecoder {

  private ExactFieldNameDecoder(HttpServerOptions options) {
    super(options);
  }

  /**
   * Puts the decoder in place of Vert.x's on a new HTTP/1 connection: as a server's connection handler, with h2c off,
   * so that the connection is handed over before it reads a byte.
   */
  public static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof HttpServerConnection server
        && server.channelHandlerContext().pipeline().get("httpDecoder") instanceof VertxHttpRequestDecoder) {
      server.channelHandlerContext().pipeline().replace("httpDecoder", "httpDecoder", new ExactFieldNameDecoder(options));
    }
  }

  @Override
  protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
    AsciiString known = super.splitHeaderName(sb, start, length);
    AsciiString sent = new AsciiString(sb, start, length, true);
    return known.contentEqualsIgnoreCase(sent) ? known : sent;
  }
}
