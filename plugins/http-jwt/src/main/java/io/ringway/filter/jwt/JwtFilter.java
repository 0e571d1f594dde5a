package io.ringway.filter.jwt;

import io.ringway.spi.http.FilterRequest;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bearer-token checks of one route on one event loop. The key set loads in the background: requests that arrive
 * before the first load wait for it (the router holds them, body unread); a later load that fails keeps the keys
 * in force and is counted. Each event loop loads its own copy (small documents, one request per interval each).
 */
final class JwtFilter implements HttpFilter {

  private static final System.Logger LOG = System.getLogger(JwtFilter.class.getName());
  private static final long FETCH_TIMEOUT_MILLIS = 5_000;
  private static final long RETRY_MILLIS = 5_000;
  private static final int MAX_JWKS_BYTES = 1024 * 1024;
  private static final FilterVerdict MISSING = new FilterVerdict.Reply(401,
      Map.of("www-authenticate", "Bearer realm=\"ringway\""), "bearer token required");
  private static final FilterVerdict NO_KEYS = new FilterVerdict.Reply(503, Map.of("retry-after", "5"),
      "token keys unavailable");

  private final Vertx vertx;
  private final JwtConfig config;
  private final String route;
  private final HttpClient client;
  /** Completes with the first key set (or null when the first load failed); replaced by each later load. */
  private Future<JWTAuth> keys;
  private long timer = -1;
  private boolean closed;
  private long verified;
  private long missing;
  private long invalid;
  private long keyLoads;
  private long keyLoadFailures;

  JwtFilter(Vertx vertx, JwtConfig config, String route) {
    this.vertx = vertx;
    this.config = config;
    this.route = route;
    this.client = config.jwksUri() == null ? null : vertx.createHttpClient();
    Promise<JWTAuth> first = Promise.promise();
    this.keys = first.future();
    load().onComplete(loaded -> {
      first.complete(loaded.succeeded() ? loaded.result() : null);
      schedule(loaded.succeeded() ? config.refresh().toMillis() : RETRY_MILLIS);
    });
  }

  @Override
  public Future<FilterVerdict> onRequest(FilterRequest request) {
    // A client never gets to name its own claims: removed whatever the token says.
    config.claimHeaders().values().forEach(request::removeHeader);
    String token = bearer(request.header(config.tokenHeader()));
    if (token == null) {
      missing++;
      return Future.succeededFuture(MISSING);
    }
    if (keys.isComplete()) {
      return check(keys.result(), token, request);
    }
    return keys.compose(loaded -> check(loaded, token, request));
  }

  private Future<FilterVerdict> check(JWTAuth auth, String token, FilterRequest request) {
    if (auth == null) {
      return Future.succeededFuture(NO_KEYS);
    }
    // vertx-auth-jwt checks the signature against the key set (alg "none" and keys of another type refused), then
    // exp, nbf and iat with the leeway, iss and aud; it answers at once, without I/O.
    Future<User> user = auth.authenticate(new TokenCredentials(token));
    if (user.failed()) {
      invalid++;
      return Future.succeededFuture(new FilterVerdict.Reply(401, Map.of("www-authenticate",
          "Bearer realm=\"ringway\", error=\"invalid_token\", error_description=\"" + describe(user.cause()) + "\""),
          "invalid bearer token"));
    }
    verified++;
    JsonObject claims = user.result().attributes().getJsonObject("accessToken", new JsonObject());
    config.claimHeaders().forEach((claim, header) -> {
      String value = headerValue(claims.getValue(claim));
      if (value != null) {
        request.setHeader(header, value);
      }
    });
    return FilterVerdict.PROCEED;
  }

  /** The token of {@code Bearer <token>} (scheme case-insensitive, RFC 6750 2.1), or null. */
  static String bearer(String field) {
    if (field == null || field.length() < 8 || !field.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = field.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** A claim as one header line: strings as they are, lists comma-joined, objects not forwarded; no CR/LF ever. */
  private static String headerValue(Object claim) {
    String value;
    if (claim instanceof String || claim instanceof Number || claim instanceof Boolean) {
      value = String.valueOf(claim);
    } else if (claim instanceof JsonArray list) {
      List<String> parts = new ArrayList<>();
      list.forEach(part -> parts.add(String.valueOf(part)));
      value = String.join(",", parts);
    } else {
      return null;
    }
    return value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f) ? null : value;
  }

  /** What went wrong, fit for a quoted-string: the library's message without quotes or control bytes. */
  private static String describe(Throwable cause) {
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    String clean = message.replaceAll("[^A-Za-z0-9 .,:;_()-]", "");
    return clean.length() > 120 ? clean.substring(0, 120) : clean;
  }

  private void schedule(long delayMillis) {
    if (closed) {
      return;
    }
    timer = vertx.setTimer(delayMillis, fired -> load().onComplete(loaded -> {
      if (loaded.succeeded()) {
        keys = Future.succeededFuture(loaded.result());
      }
      schedule(loaded.succeeded() || keys.result() != null ? config.refresh().toMillis() : RETRY_MILLIS);
    }));
  }

  private Future<JWTAuth> load() {
    Future<Buffer> document = config.jwksFile() != null ? vertx.fileSystem().readFile(config.jwksFile()) : fetch();
    return document.map(this::provider).andThen(loaded -> {
      if (loaded.succeeded()) {
        keyLoads++;
      } else {
        keyLoadFailures++;
        LOG.log(System.Logger.Level.WARNING, "http-router: route {0}: jwt: cannot load the key set from {1}: {2}{3}",
            route, config.jwksFile() != null ? config.jwksFile() : config.jwksUri(), loaded.cause().getMessage(),
            keys.isComplete() && keys.result() != null ? "; the keys loaded before stay in force" : "");
      }
    });
  }

  private Future<Buffer> fetch() {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(config.jwksUri())
            .setTimeout(FETCH_TIMEOUT_MILLIS).putHeader("accept", "application/json"))
        .compose(request -> request.send())
        .compose(response -> response.statusCode() == 200 ? body(response)
            : Future.failedFuture("HTTP " + response.statusCode()));
  }

  private static Future<Buffer> body(HttpClientResponse response) {
    String length = response.getHeader("content-length");
    if (length != null && length.length() < 12 && Long.parseLong(length) > MAX_JWKS_BYTES) {
      return Future.failedFuture("the key set is larger than " + MAX_JWKS_BYTES + " bytes");
    }
    return response.body();
  }

  /** A provider holding the document's keys and this route's claim rules; fails naming what is wrong. */
  private JWTAuth provider(Buffer document) {
    if (document.length() > MAX_JWKS_BYTES) {
      throw new IllegalArgumentException("the key set is larger than " + MAX_JWKS_BYTES + " bytes");
    }
    JsonObject json = new JsonObject(document);
    JsonArray keyList = json.getJsonArray("keys");
    if (keyList == null || keyList.isEmpty()) {
      throw new IllegalArgumentException("expected a JWKS document {\"keys\": [..]} with at least one key");
    }
    List<JsonObject> jwks = new ArrayList<>();
    keyList.forEach(key -> jwks.add((JsonObject) key));
    JWTOptions rules = new JWTOptions().setLeeway((int) config.leeway().toSeconds());
    if (config.issuer() != null) {
      rules.setIssuer(config.issuer());
    }
    if (!config.audiences().isEmpty()) {
      rules.setAudience(config.audiences());
    }
    return JWTAuth.create(vertx, new JWTAuthOptions().setJwks(jwks).setJWTOptions(rules));
  }

  @Override
  public JsonObject stats() {
    return new JsonObject().put("verified", verified).put("missing", missing).put("invalid", invalid)
        .put("keyLoads", keyLoads).put("keyLoadFailures", keyLoadFailures);
  }

  @Override
  public void close() {
    closed = true;
    vertx.cancelTimer(timer);
    if (client != null) {
      client.close();
    }
  }
}
