package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.FilterConfig;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The {@code compression} filter (plugins/http-compression) in a real router: gzip by content type and size when
 * the client accepts it, bodies that decompress (with the JDK's GZIPInputStream) to exactly what the upstream sent,
 * streamed bodies included, and everything it must leave alone left alone.
 */
class CompressionFilterTest {

  private static final byte[] TEXT = text(64 * 1024);
  private static final byte[] GZIPPED = gzip("already compressed ".repeat(200).getBytes(StandardCharsets.UTF_8));

  @Test
  void compressesWhatItShouldAndOnlyThat() throws Exception {
    try (RouterFixture fixture = RouterFixture.ioUring(); HttpClient http1 = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).build(); HttpClient h2 = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2).build()) {
      HttpServer upstream = fixture.vertx.createHttpServer().requestHandler(request -> {
        var response = request.response();
        switch (request.path().replaceFirst("^/z/", "/")) {
          case "/text" -> response.putHeader("content-type", "text/plain; charset=utf-8").putHeader("etag", "\"v1\"")
              .end(Buffer.buffer(TEXT));
          case "/stream" -> {
            response.setChunked(true).putHeader("content-type", "text/html");
            response.write(Buffer.buffer(TEXT).slice(0, 1000));
            fixture.vertx.setTimer(20, t -> response.write(Buffer.buffer(TEXT).slice(1000, 40_000))
                .onComplete(w -> response.end(Buffer.buffer(TEXT).slice(40_000, TEXT.length))));
          }
          case "/small" -> response.putHeader("content-type", "application/json").end("{\"small\":true}");
          case "/gz" -> response.putHeader("content-type", "text/plain").putHeader("content-encoding", "gzip")
              .end(Buffer.buffer(GZIPPED));
          case "/png" -> response.putHeader("content-type", "image/png").end(Buffer.buffer(TEXT));
          case "/no-transform" -> response.putHeader("content-type", "text/plain").putHeader("cache-control", "no-transform")
              .end(Buffer.buffer(TEXT));
          default -> response.setStatusCode(404).end();
        }
      }).listen(0, RouterFixture.HOST).await(5, TimeUnit.SECONDS);
      fixture.start(List.of(ClusterConfig.of("web", List.of(Endpoint.of(RouterFixture.HOST, upstream.actualPort())))),
          List.of(new RouteConfig("zstd", RouteMatch.path(new PathMatch(PathMatch.Kind.PREFIX, "/z/")),
                  ForwardAction.to("web"), RoutePolicy.DEFAULTS, List.of(new FilterConfig("compression", new JsonObject()
                      .put("minBytes", 1024).put("encodings", new io.vertx.core.json.JsonArray().add("zstd").add("gzip"))))),
              new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("web"), RoutePolicy.DEFAULTS, List.of(
              new FilterConfig("compression", new JsonObject().put("minBytes", 1024))))));
      String base = "http://" + RouterFixture.HOST + ":" + fixture.port;

      HttpResponse<byte[]> text = get(http1, base + "/text", "gzip, deflate, br");
      assertThat(text.headers().firstValue("content-encoding")).hasValue("gzip");
      assertThat(text.headers().firstValue("content-length")).isEmpty();
      assertThat(text.headers().firstValue("vary")).hasValue("accept-encoding");
      assertThat(text.headers().firstValue("etag")).hasValue("W/\"v1\"");
      assertThat(gunzip(text.body())).isEqualTo(TEXT);
      assertThat(text.body().length).as("compressed").isLessThan(TEXT.length / 2);

      HttpResponse<byte[]> streamed = get(http1, base + "/stream", "gzip");
      assertThat(streamed.headers().firstValue("content-encoding")).hasValue("gzip");
      assertThat(gunzip(streamed.body())).isEqualTo(TEXT);

      HttpResponse<byte[]> overH2 = get(h2, base + "/text", "gzip");
      assertThat(overH2.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(gunzip(overH2.body())).isEqualTo(TEXT);

      assertIdentity(get(http1, base + "/text", null), TEXT, "no accept-encoding");
      assertIdentity(get(http1, base + "/text", "gzip;q=0, identity"), TEXT, "gzip refused by q=0");
      assertIdentity(get(http1, base + "/text", "br"), TEXT, "another coding only");
      assertIdentity(get(http1, base + "/small", "gzip"), "{\"small\":true}".getBytes(StandardCharsets.UTF_8), "below minBytes");
      assertIdentity(get(http1, base + "/png", "gzip"), TEXT, "not a listed type");
      assertIdentity(get(http1, base + "/no-transform", "gzip"), TEXT, "cache-control: no-transform");
      HttpResponse<byte[]> twice = get(http1, base + "/gz", "gzip");
      assertThat(twice.headers().allValues("content-encoding")).as("never compressed twice").containsExactly("gzip");
      assertThat(twice.body()).isEqualTo(GZIPPED);
      HttpResponse<byte[]> head = http1.send(HttpRequest.newBuilder(URI.create(base + "/text"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("accept-encoding", "gzip").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(head.headers().firstValue("content-encoding")).as("HEAD").isEmpty();

      assertIdentity(get(http1, base + "/text", "zstd"), TEXT, "zstd is not offered on this route");

      // The zstd route: zstd where the client weighs it at least as high as gzip, gzip where it prefers gzip.
      HttpResponse<byte[]> zstd = get(http1, base + "/z/text", "gzip, zstd");
      assertThat(zstd.headers().firstValue("content-encoding")).hasValue("zstd");
      assertThat(unzstd(zstd.body())).isEqualTo(TEXT);
      assertThat(zstd.body().length).isLessThan(TEXT.length / 2);
      HttpResponse<byte[]> zstdStreamed = get(h2, base + "/z/stream", "zstd");
      assertThat(zstdStreamed.headers().firstValue("content-encoding")).hasValue("zstd");
      assertThat(unzstd(zstdStreamed.body())).isEqualTo(TEXT);
      HttpResponse<byte[]> preferred = get(http1, base + "/z/text", "zstd;q=0.5, gzip");
      assertThat(preferred.headers().firstValue("content-encoding")).hasValue("gzip");
      assertThat(gunzip(preferred.body())).isEqualTo(TEXT);

      JsonObject counters = route(fixture, "all").getJsonArray("filters").getJsonObject(0);
      assertThat(counters.getLong("compressed")).isEqualTo(3);
      assertThat(counters.getLong("skipped")).isEqualTo(9);
      assertThat(counters.getLong("bytesIn")).isEqualTo(3L * TEXT.length);
    }
  }

  private static JsonObject route(RouterFixture fixture, String name) throws Exception {
    return fixture.stats().getJsonArray("routes").stream().map(JsonObject.class::cast)
        .filter(route -> route.getString("route").equals(name)).findFirst().orElseThrow();
  }

  private static byte[] unzstd(byte[] bytes) throws Exception {
    try (var in = new com.github.luben.zstd.ZstdInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }

  private static void assertIdentity(HttpResponse<byte[]> response, byte[] expected, String why) {
    assertThat(response.headers().firstValue("content-encoding")).as(why).isEmpty();
    assertThat(response.body()).as(why).isEqualTo(expected);
  }

  private static HttpResponse<byte[]> get(HttpClient client, String uri, String acceptEncoding) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri));
    if (acceptEncoding != null) {
      request.header("accept-encoding", acceptEncoding);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Text that compresses about as real pages do: words from a small vocabulary in random order. */
  private static byte[] text(int size) {
    String[] words = {"ringway ", "proxy ", "event ", "loop ", "kernel ", "ring ", "buffer ", "header ", "\n"};
    Random random = new Random(42);
    StringBuilder text = new StringBuilder();
    while (text.length() < size) {
      text.append(words[random.nextInt(words.length)]);
    }
    return text.substring(0, size).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
        gzip.write(bytes);
      }
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gunzip(byte[] bytes) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }
}
