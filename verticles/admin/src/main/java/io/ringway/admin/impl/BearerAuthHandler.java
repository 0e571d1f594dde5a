package io.ringway.admin.impl;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** Lets a request through only with {@code Authorization: Bearer <token>}; otherwise 401. */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  private static final String SCHEME = "Bearer ";

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
        .putHeader("WWW-Authenticate", "Bearer")
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end("unauthorized\n");
  }

  private boolean presents(String authorization) {
    // RFC 7235: the scheme name is case-insensitive.
    if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    String presented = authorization.substring(SCHEME.length()).strip();
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
