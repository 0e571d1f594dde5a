package io.ringway.http.impl;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Errors the router makes itself, said the gRPC way when the request is gRPC: a gRPC client reads
 * {@code grpc-status}, not the HTTP status (a 503 would surface as UNKNOWN or INTERNAL). The answer is
 * "Trailers-Only" (gRPC over HTTP/2 spec): {@code :status 200}, {@code content-type: application/grpc},
 * {@code grpc-status}, {@code grpc-message}, and no body, in one HEADERS frame ending the stream.
 */
final class GrpcStatus {

  static final int INTERNAL = 13;

  private GrpcStatus() {
  }

  /** Whether the request is gRPC: {@code content-type} is {@code application/grpc} or one of its {@code +format} forms. */
  static boolean isGrpc(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
        && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
  }

  /**
   * The gRPC code for an HTTP status the router answers with. Where gRPC's own HTTP mapping
   * (doc/http-grpc-status-mapping.md) is vaguer than what the router knows, the precise code: its own timeout is
   * DEADLINE_EXCEEDED, a rate limit or an oversized body RESOURCE_EXHAUSTED, no route UNIMPLEMENTED.
   */
  static int codeFor(int httpStatus) {
    return switch (httpStatus) {
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404, 501 -> 12; // UNIMPLEMENTED
      case 413, 429, 431 -> 8; // RESOURCE_EXHAUSTED
      case 408, 504 -> 4; // DEADLINE_EXCEEDED
      case 502, 503 -> 14; // UNAVAILABLE
      default -> INTERNAL;
    };
  }

  /** Sends the Trailers-Only answer for {@code httpStatus}. */
  static void answer(HttpServerResponse response, int httpStatus, String message) {
    response.setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
        .putHeader("grpc-status", Integer.toString(codeFor(httpStatus)))
        .putHeader("grpc-message", percentEncode(message))
        .putHeader("via", ProxyHeaders.VIA);
  }

  /** grpc-message's encoding: UTF-8, every byte outside 0x20-0x7E and '%' as %XX. */
  static String percentEncode(String message) {
    StringBuilder out = new StringBuilder();
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
