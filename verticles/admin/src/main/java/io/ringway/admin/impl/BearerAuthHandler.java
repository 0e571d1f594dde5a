package io.ringway.admin.impl;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Lets a request through only with {@code Authorization: Bearer <token>}, or {@code Basic} with the token as
 * the password (any user name); otherwise 401 offering both. Basic is for the dashboard: a browser cannot put
 * a bearer token on a page load or an {@code EventSource}, but it asks for Basic credentials once and then
 * sends them with every request to this origin, so the token never has to sit in the page or its URL.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  private static final String SCHEME = "Bearer ";
  private static final String BASIC = "Basic ";

  private final byte[] expectedDigest;

  /** @param token the secret every request must present; not blank */
  public BearerAuthHandler(String token) {
    this.expectedDigest = sha256(token);
  }

  @Override
  public void handle(RoutingContext routing) {
    List<String> values = routing.request().headers().getAll(HttpHeaders.AUTHORIZATION);
    if (values.size() == 1 && presents(values.get(0))) {
      routing.next();
      return;
    }
    routing.response()
        .setStatusCode(401)
        .putHeader("WWW-Authenticate", List.<String>of("Bearer", "Basic realm=\"ringway admin\", charset=\"UTF-8\""))
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end("unauthorized\n");
  }

  private boolean presents(String authorization) {
    // RFC 7235: the scheme name is case-insensitive.
    if (authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
      return presentsBasic(authorization.substring(BASIC.length()).strip());
    }
    if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return matches(authorization.substring(SCHEME.length()).strip());
  }

  /** RFC 7617: Base64 of {@code user:password}; the password is everything after the first colon. */
  private boolean presentsBasic(String credentials) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon >= 0 && matches(decoded.substring(colon + 1));
  }

  private boolean matches(String presented) {
    // Comparing fixed-size digests keeps the time independent of both the content and the length
    // of the secret; MessageDigest.isEqual alone returns early on a length mismatch.
    return MessageDigest.isEqual(sha256(presented), expectedDigest);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
