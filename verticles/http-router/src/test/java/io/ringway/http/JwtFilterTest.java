package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.FilterConfig;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code jwt} filter (plugins/http-jwt) in a real router, with tokens signed here by the JDK (not by the
 * library under test): valid, expired, not yet valid, wrong issuer, wrong audience, wrong key, {@code alg: none},
 * missing; claims forwarded and a client's own claim header dropped; a key set served over HTTP, waited for on
 * the first request and rotated by the background refresh.
 */
class JwtFilterTest {

  private static final String ISSUER = "https://issuer.test";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @TempDir
  Path dir;

  @Test
  void checksBearerTokensAndForwardsClaims() throws Exception {
    KeyPair a = rsa();
    KeyPair b = rsa();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JsonObject().put("keys", new JsonArray().add(jwk(a, "a"))).encode());
    AtomicReference<JsonObject> served = new AtomicReference<>(new JsonObject().put("keys", new JsonArray().add(jwk(a, "a"))));
    try (RouterFixture fixture = RouterFixture.ioUring(); HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).build()) {
      // The key server answers its first request late: the router's first request must wait for the keys.
      HttpServer keyServer = fixture.vertx.createHttpServer().requestHandler(request -> fixture.vertx.setTimer(
          request.path().equals("/late") ? 700 : 1, t -> request.response().putHeader("content-type", "application/json")
              .end(served.get().encode()))).listen(0, RouterFixture.HOST).await(5, TimeUnit.SECONDS);
      Backend backend = new Backend(fixture.vertx, "web");
      JsonObject fileRule = new JsonObject().put("issuer", ISSUER).put("audiences", new JsonArray().add("api"))
          .put("jwksFile", jwks.toString()).put("leeway", "5s")
          .put("claimHeaders", new JsonObject().put("sub", "x-user").put("roles", "x-roles"));
      JsonObject urlRule = new JsonObject().put("jwksUri", "http://" + RouterFixture.HOST + ":" + keyServer.actualPort()
          + "/late").put("refresh", "1s").put("claimHeaders", new JsonObject().put("sub", "x-user"));
      fixture.start(List.of(ClusterConfig.of("web", List.of(backend.endpoint()))), List.of(
          new RouteConfig("remote", RouteMatch.path(new PathMatch(PathMatch.Kind.PREFIX, "/headers/remote")),
              ForwardAction.to("web"), RoutePolicy.DEFAULTS, List.of(new FilterConfig("jwt", urlRule))),
          new RouteConfig("local", RouteMatch.ANY, ForwardAction.to("web"), RoutePolicy.DEFAULTS,
              List.of(new FilterConfig("jwt", fileRule)))));
      String base = "http://" + RouterFixture.HOST + ":" + fixture.port;
      long now = Instant.now().getEpochSecond();
      JsonObject good = new JsonObject().put("iss", ISSUER).put("aud", "api").put("sub", "alice")
          .put("roles", new JsonArray().add("read").add("write")).put("iat", now).put("exp", now + 300);

      // Issued before the key set of the remote route loaded: held, then checked.
      HttpResponse<String> first = get(client, base + "/headers/remote", sign(a, "a", good), null);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(first.body()).getString("x-user")).isEqualTo("alice");

      HttpResponse<String> ok = get(client, base + "/headers", sign(a, "a", good), "mallory");
      assertThat(ok.statusCode()).isEqualTo(200);
      JsonObject seen = new JsonObject(ok.body());
      assertThat(seen.getString("x-user")).as("the claim, never the client's own header").isEqualTo("alice");
      assertThat(seen.getString("x-roles")).isEqualTo("read,write");

      HttpResponse<String> missing = get(client, base + "/headers", null, "mallory");
      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(missing.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"ringway\"");
      assertThat(backend.seen.get()).isEqualTo(2);

      assertRefused(client, base, sign(a, "a", good.copy().put("exp", now - 60)), "expired");
      assertRefused(client, base, sign(a, "a", good.copy().put("nbf", now + 60)), "not yet valid");
      assertRefused(client, base, sign(a, "a", good.copy().put("iss", "https://other.test")), "wrong issuer");
      assertRefused(client, base, sign(a, "a", good.copy().put("aud", "billing")), "wrong audience");
      assertRefused(client, base, sign(b, "a", good), "signed by a key the set does not hold");
      assertRefused(client, base, unsigned(good), "alg none");
      assertRefused(client, base, "not.a.token", "garbage");
      assertThat(backend.seen.get()).as("no refused request reached the backend").isEqualTo(2);

      // Key rotation at the key server: the refresh (1 s) brings key b in; a's tokens then fail.
      assertThat(get(client, base + "/headers/remote", sign(b, "b", good), null).statusCode()).isEqualTo(401);
      served.set(new JsonObject().put("keys", new JsonArray().add(jwk(b, "b"))));
      Eventually.await("key b in force", Duration.ofSeconds(10),
          () -> get(client, base + "/headers/remote", sign(b, "b", good), null).statusCode() == 200);

      JsonObject local = fixture.stats().getJsonArray("routes").stream().map(JsonObject.class::cast)
          .filter(route -> route.getString("route").equals("local")).findFirst().orElseThrow();
      JsonObject counters = local.getJsonArray("filters").getJsonObject(0);
      assertThat(counters.getString("filter")).isEqualTo("jwt");
      assertThat(counters.getLong("verified")).isEqualTo(1);
      assertThat(counters.getLong("missing")).isEqualTo(1);
      assertThat(counters.getLong("invalid")).isEqualTo(7);
      assertThat(counters.getLong("keyLoads")).isPositive();
      assertThat(local.getLong("filtered")).isEqualTo(8);
    }
  }

  private static void assertRefused(HttpClient client, String base, String token, String why) {
    HttpResponse<String> response = get(client, base + "/headers", token, null);
    assertThat(response.statusCode()).as(why).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate")).as(why)
        .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer realm=\"ringway\", error=\"invalid_token\""));
  }

  private static HttpResponse<String> get(HttpClient client, String uri, String token, String claimedUser) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri));
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    if (claimedUser != null) {
      request.header("x-user", claimedUser);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static JsonObject jwk(KeyPair pair, String kid) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", B64.encodeToString(unsigned(key.getModulus()))).put("e", B64.encodeToString(unsigned(key.getPublicExponent())));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static String sign(KeyPair pair, String kid, JsonObject claims) {
    try {
      String input = part(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid)) + "." + part(claims);
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(pair.getPrivate());
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(signature.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String unsigned(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  private static String part(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }
}
