package io.ringway.http.impl;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * What RFC 9112 and RFC 9110 require of a server about a request head that parsed: the version, the Host
 * field, the form of the request-target and the transfer codings. A request these refuse never reaches a
 * handler. An absolute-form target becomes origin-form here too, with its authority as Host (RFC 9112 §3.2.2: a
 * proxy MUST ignore the received Host then), so everything after sees one form, and the path is made the normalized one
 * routes are matched on ({@link RequestPaths}). (HTTP/1.x with x above 1 arrives as
 * HTTP/1.1 already: {@link StrictRequestDecoder} reads it so, RFC 9110 §2.5.)
 */
final class RequestRules {

  /** RFC 3986 unreserved and sub-delims: the bytes of a reg-name besides pct-encoded ones. */
  private static final boolean[] REG_NAME = new boolean[128];

  static {
    for (char c : ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=").toCharArray()) {
      REG_NAME[c] = true;
    }
  }

  private RequestRules() {
  }

  /** The reason to refuse {@code request}, or null when it may go on (possibly normalised in place). */
  static RefusedRequest check(HttpRequest request, RequestPaths paths) {
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1) {
      return new RefusedRequest(505, "HTTP version " + version.text() + " is not supported (RFC 9112 §2.3)");
    }
    HttpHeaders headers = request.headers();
    RefusedRequest framing = transferCodings(headers, version);
    if (framing != null) {
      return framing;
    }
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return new RefusedRequest(400, "more than one Host field (RFC 9112 §3.2)");
    }
    if (hosts.isEmpty() && version.minorVersion() >= 1) {
      return new RefusedRequest(400, "HTTP/1.1 request without Host (RFC 9112 §3.2)");
    }
    if (!hosts.isEmpty() && !isAuthority(hosts.get(0))) {
      return new RefusedRequest(400, "invalid Host " + quote(hosts.get(0)) + " (RFC 9112 §3.2, RFC 3986 §3.2.2)");
    }
    if (!hosts.isEmpty() && hosts.get(0).endsWith(":")) {
      headers.set(HttpHeaderNames.HOST, withoutEmptyPort(hosts.get(0)));
    }
    return target(request, paths);
  }

  private static RefusedRequest transferCodings(HttpHeaders headers, HttpVersion version) {
    List<String> fields = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (fields.isEmpty()) {
      return null;
    }
    if (version.minorVersion() == 0) {
      // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding MUST be treated as faulty framing.
      return new RefusedRequest(400, "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)");
    }
    int chunked = 0;
    int codings = 0;
    String last = null;
    for (String field : fields) {
      for (String coding : field.split(",", -1)) {
        coding = coding.trim();
        if (coding.isEmpty()) {
          // RFC 9110 §5.6.1.2 has recipients skip empty list elements, but this field frames the body: nginx
          // and HAProxy both refuse it, and a hop that reads it differently is how smuggling starts.
          return new RefusedRequest(400, "empty element in Transfer-Encoding: " + fields);
        }
        codings++;
        last = coding;
        if (coding.equalsIgnoreCase("chunked")) {
          chunked++;
        }
      }
    }
    if (last == null || !last.equalsIgnoreCase("chunked") || chunked > 1) {
      // RFC 9112 §6.3: chunked not final (or twice) leaves the body length unknown: 400, then close.
      return new RefusedRequest(400, "Transfer-Encoding must end in chunked, once: " + fields);
    }
    if (codings > 1) {
      return new RefusedRequest(501, "transfer codings other than chunked are not implemented: " + fields);
    }
    return null;
  }

  private static RefusedRequest target(HttpRequest request, RequestPaths paths) {
    String uri = request.uri();
    if (request.method() == HttpMethod.CONNECT) {
      return new RefusedRequest(501, "CONNECT is not supported: Ringway is not a forward proxy");
    }
    if (uri.startsWith("/")) {
      return normalizePath(request, uri, paths);
    }
    if (uri.equals("*")) {
      return request.method() == HttpMethod.OPTIONS ? null
          : new RefusedRequest(400, "asterisk-form is only for OPTIONS (RFC 9112 §3.2.4)");
    }
    int colon = uri.indexOf("://");
    if (colon < 0) {
      return new RefusedRequest(400, "request-target " + quote(uri) + " is not origin-form, absolute-form or *");
    }
    String scheme = uri.substring(0, colon);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      return new RefusedRequest(400, "absolute-form with scheme " + quote(scheme) + " (http or https expected)");
    }
    int start = colon + 3;
    int end = start;
    while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
      end++;
    }
    String authority = uri.substring(start, end);
    if (authority.indexOf('@') >= 0) {
      return new RefusedRequest(400, "userinfo in the request-target (RFC 9110 §4.2.4)");
    }
    if (!isAuthority(authority)) {
      return new RefusedRequest(400, "invalid authority " + quote(authority) + " in the request-target");
    }
    String rest = uri.substring(end);
    request.setUri(rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
    request.headers().set(HttpHeaderNames.HOST, withoutEmptyPort(authority));
    return normalizePath(request, request.uri(), paths);
  }

  /** Sets the request's path to its normalized form ({@link RequestPaths}); the refusal of a path it cannot take. */
  private static RefusedRequest normalizePath(HttpRequest request, String uri, RequestPaths paths) {
    String normalized = paths.normalizeTarget(uri);
    if (normalized == null) {
      return new RefusedRequest(400, RequestPaths.refusal(uri));
    }
    if (normalized != uri) {
      request.setUri(normalized);
    }
    return null;
  }

  /**
   * An authority with an empty port ({@code h:}) as {@code h}: RFC 3986 §6.2.3 makes them the same, and Vert.x would read
   * the empty port as port 0 and send the upstream {@code Host: h:0}.
   */
  private static String withoutEmptyPort(String authority) {
    return authority.endsWith(":") ? authority.substring(0, authority.length() - 1) : authority;
  }

  /**
   * RFC 3986 {@code host [ ":" port ]}, with a non-empty host (RFC 9110 §4.2.1: an http URI has one) and a port a TCP
   * port can be (at most 65535: Vert.x cannot read a larger one, which left such a request with no authority at all).
   */
  static boolean isAuthority(String value) {
    int portColon;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 2 || !isIpLiteral(value, 1, close)) {
        return false;
      }
      portColon = close + 1;
      if (portColon < value.length() && value.charAt(portColon) != ':') {
        return false;
      }
    } else {
      portColon = value.indexOf(':');
      if (portColon < 0) {
        portColon = value.length();
      }
      if (portColon == 0 || !isRegName(value, portColon)) {
        return false;
      }
    }
    int port = 0;
    for (int i = portColon + 1; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
      port = port * 10 + value.charAt(i) - '0';
      if (port > 65535) {
        return false;
      }
    }
    return true;
  }

  private static boolean isRegName(String value, int end) {
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 2 >= end || Character.digit(value.charAt(i + 1), 16) < 0 || Character.digit(value.charAt(i + 2), 16) < 0) {
          return false;
        }
        i += 2;
      } else if (c >= 128 || !REG_NAME[c]) {
        return false;
      }
    }
    return true;
  }

  /** IPv6address or IPvFuture between the brackets, checked for their characters only. */
  private static boolean isIpLiteral(String value, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.'
          || (value.charAt(from) == 'v' || value.charAt(from) == 'V') && c < 128 && REG_NAME[c])) {
        return false;
      }
    }
    return true;
  }

  private static String quote(String value) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    return '"' + shown + '"';
  }
}
