package io.ringway.http.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.vertx.core.net.HostAndPort;
import java.util.Map;

/**
 * Checks each HTTP/2 request head before Vert.x sees it, for what Netty's codec lets through (RFC 9113, 8.2.1):
 * field names with characters outside lower-case visible ASCII or with a colon, values with NUL, CR or LF
 * or with leading or trailing whitespace; authorities Vert.x would refuse; a {@code :scheme} that is no scheme.
 * Such a request is malformed: a stream error PROTOCOL_ERROR, which {@link H2ResetCounter} counts; the request
 * never reaches the router.
 *
 * <p>A new stream refused here is reset and closed at once rather than left to Netty's error handling, which
 * keeps it active until its RST_STREAM is written: Vert.x 5.0.10's connection-error handling dereferences the
 * Vert.x stream of every active Netty stream, and this one never got one (a NullPointerException thrown into
 * whichever write raised the connection error).
 */
final class H2RequestValidator extends Http2FrameListenerDecorator {

  private static final AsciiString HOST = AsciiString.cached("host");

  private final Http2ConnectionHandler http2;
  private final SkippedStreamIds streamIds;
  private final RequestPaths paths;

  H2RequestValidator(Http2ConnectionHandler http2, SkippedStreamIds streamIds, RequestPaths paths) {
    super(http2.decoder().frameListener());
    this.http2 = http2;
    this.streamIds = streamIds;
    this.paths = paths;
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                            boolean endOfStream) throws Http2Exception {
    if (accept(ctx, streamId, headers)) {
      super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                            short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
    if (accept(ctx, streamId, headers)) {
      super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
    }
  }

  /** False when the head opened a stream and was refused (reset and closed here); throws for bad trailers. */
  private boolean accept(ChannelHandlerContext ctx, int streamId, Http2Headers headers) throws Http2Exception {
    boolean opens = streamIds.opened(streamId);
    try {
      check(streamId, headers);
      return true;
    } catch (Http2Exception malformed) {
      if (!opens) {
        throw malformed;
      }
      http2.resetStream(ctx, streamId, Http2Error.PROTOCOL_ERROR.code(), ctx.newPromise());
      Http2Stream stream = http2.connection().stream(streamId);
      if (stream != null) {
        stream.close();
      }
      return false;
    }
  }

  /** Throws the stream error of a malformed head. */
  private void check(int streamId, Http2Headers headers) throws Http2Exception {
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      String problem = problem(field.getKey(), field.getValue());
      String misread = MisreadFieldNames.misreadAs(field.getKey());
      if (misread != null) {
        throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "%s",
            MisreadFieldNames.refusal(field.getKey(), misread));
      }
      if (problem != null) {
        throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "malformed field %s: %s",
            field.getKey(), problem);
      }
    }
    String problem = authorityProblem(headers.authority(), headers.get(HOST));
    if (problem == null) {
      problem = schemeProblem(headers.scheme());
    }
    if (problem == null) {
      problem = requestLineProblem(headers.method(), headers.path());
    }
    if (problem == null) {
      problem = normalizePath(headers);
    }
    if (problem != null) {
      throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "%s", problem);
    }
  }

  /** Sets {@code :path} to its normalized form ({@link RequestPaths}); the problem of a path it cannot take, or null. */
  private String normalizePath(Http2Headers headers) {
    CharSequence target = headers.path();
    if (target == null || target.isEmpty() || target.charAt(0) != '/') {
      return null;
    }
    String uri = target.toString();
    String normalized = paths.normalizeTarget(uri);
    if (normalized == null) {
      return ":path: " + RequestPaths.refusal(uri);
    }
    if (normalized != uri) {
      headers.path(normalized);
    }
    return null;
  }

  /**
   * A {@code :scheme} that is not a URI scheme, {@code ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )} (RFC 3986, 3.1):
   * the target URI it names cannot exist. Any scheme is allowed (RFC 9113, 8.3.1); the router forwards every one as it
   * forwards {@code http}, as nginx does. nginx and HAProxy answer 400 to one that is not a scheme ({@code ht tp},
   * {@code 1http}, {@code http:}). Null when it is one, or absent (CONNECT; Netty refuses any other request without).
   */
  static String schemeProblem(CharSequence scheme) {
    if (scheme == null) {
      return null;
    }
    for (int i = 0; i < scheme.length(); i++) {
      char c = scheme.charAt(i);
      boolean alpha = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
      if (!alpha && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'))) {
        return "invalid :scheme";
      }
    }
    return scheme.isEmpty() ? "empty :scheme" : null;
  }

  /**
   * A {@code :method} that is not a token, or a {@code :path} that is not an origin-form target ({@code *} for OPTIONS):
   * RFC 9113, 8.3.1 makes such a request malformed, and an HTTP/1 upstream could not be sent it (Netty refused to
   * write its request line, and the exchange hung until the route timeout on a connection it left unusable). The
   * target's bytes are those an HTTP/1 request-target may hold (visible ASCII but {@code #}). Null when neither.
   */
  static String requestLineProblem(CharSequence method, CharSequence path) {
    if (method != null) {
      for (int i = 0; i < method.length(); i++) {
        char c = method.charAt(i);
        if (c > 0xFF || !AsciiBytes.TCHAR[c]) {
          return "invalid :method";
        }
      }
    }
    if (path == null || path.isEmpty()) {
      return null;
    }
    if (path.charAt(0) != '/' && !("*".contentEquals(path) && method != null && "OPTIONS".contentEquals(method))) {
      return ":path is neither origin-form nor * for OPTIONS";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c > 0xFF || !RequestHeadGrammar.targetByte(c)) {
        return "invalid :path";
      }
    }
    return null;
  }

  /**
   * An empty or unparsable {@code :authority} or {@code host}, or a {@code host} naming another authority than
   * {@code :authority} (RFC 9110, 4.2.1 and 7.2; RFC 9113, 8.3.1), or null. Vert.x resets such a stream itself,
   * but behind Netty's back, and then fails on the stream's next DATA frame ("stream is null"), closing the
   * connection.
   */
  static String authorityProblem(CharSequence authority, CharSequence host) {
    HostAndPort parsed = null;
    if (authority != null && (parsed = HostAndPort.parseAuthority(authority.toString(), -1)) == null) {
      return "invalid :authority";
    }
    if (host == null) {
      return null;
    }
    HostAndPort named = HostAndPort.parseAuthority(host.toString(), -1);
    if (named == null) {
      return "invalid host";
    }
    if (parsed != null && (!parsed.host().equals(named.host()) || parsed.port() != named.port())) {
      return "host differs from :authority";
    }
    return null;
  }

  /** What makes a field malformed (RFC 9113, 8.2.1), or null. */
  static String problem(CharSequence name, CharSequence value) {
    int from = name.length() > 0 && name.charAt(0) == ':' ? 1 : 0;
    if (name.length() == from) {
      return "empty name";
    }
    for (int i = from; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= 0x20 || (c >= 'A' && c <= 'Z') || c >= 0x7f || c == ':') {
        return "name character 0x" + Integer.toHexString(c);
      }
    }
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c == 0 || c == '\r' || c == '\n') {
        return "value character 0x" + Integer.toHexString(c);
      }
    }
    if (length > 0 && isWhitespace(value.charAt(0)) || length > 1 && isWhitespace(value.charAt(length - 1))) {
      return "value starts or ends with whitespace";
    }
    return null;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
