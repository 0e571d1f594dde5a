package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpBackendTest {

  private final DemoFixture demo = new DemoFixture();
  private WebClient client;

  @BeforeEach
  void start() throws Exception {
    demo.start(1);
    client = WebClient.create(demo.vertx);
  }

  @AfterEach
  void close() throws Exception {
    demo.close();
  }

  @Test
  void getRootGreetsNamingTheNode() throws Exception {
    HttpResponse<Buffer> response = client.get(demo.httpPort(), DemoFixture.HOST, "/").send().await(10, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(response.bodyAsString()).isEqualTo("Hello from Ringway demo upstream on node node-a\n");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405WithAllow() throws Exception {
    assertThat(client.get(demo.httpPort(), DemoFixture.HOST, "/nope").send().await(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(404);

    HttpResponse<Buffer> postRoot = client.post(demo.httpPort(), DemoFixture.HOST, "/").send().await(10, TimeUnit.SECONDS);
    HttpResponse<Buffer> getEcho = client.get(demo.httpPort(), DemoFixture.HOST, "/echo").send().await(10, TimeUnit.SECONDS);

    assertThat(postRoot.statusCode()).isEqualTo(405);
    assertThat(postRoot.getHeader("Allow")).isEqualTo("GET");
    assertThat(getEcho.statusCode()).isEqualTo(405);
    assertThat(getEcho.getHeader("Allow")).isEqualTo("POST");
  }

  @Test
  void delayAnswersNoSoonerThanAskedAndRefusesWhatIsNotADelay() throws Exception {
    long start = System.nanoTime();
    HttpResponse<Buffer> late = client.get(demo.httpPort(), DemoFixture.HOST, "/delay/300").send().await(10, TimeUnit.SECONDS);

    assertThat(late.statusCode()).isEqualTo(200);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(300);
    assertThat(late.bodyAsString()).startsWith("Hello from Ringway demo upstream");
    for (String bad : new String[] {"/delay/", "/delay/-1", "/delay/60001", "/delay/abc"}) {
      assertThat(client.get(demo.httpPort(), DemoFixture.HOST, bad).send().await(10, TimeUnit.SECONDS).statusCode())
          .as(bad).isEqualTo(400);
    }
  }

  @Test
  void http11RequestsReuseOneKeptAliveConnection() throws Exception {
    HttpClient http = demo.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));

    HttpConnection first = get(http, "/").response().request().connection();
    HttpConnection second = get(http, "/").response().request().connection();

    assertThat(second).isSameAs(first);
  }

  @Test
  void h2cWithPriorKnowledgeServesTheGreetingAndTheEcho() throws Exception {
    HttpClient h2c = demo.vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    byte[] body = DemoFixture.randomBytes(1 << 20);

    Exchange greeting = get(h2c, "/");
    Buffer echoed = demo.onLoop(() -> h2c.request(HttpMethod.POST, demo.httpPort(), DemoFixture.HOST, "/echo")
        .compose(request -> request.send(Buffer.buffer(body)))
        .compose(HttpClientResponse::body));

    assertThat(greeting.response().version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(greeting.body()).contains("node node-a");
    assertThat(DemoFixture.sha256(echoed.getBytes())).isEqualTo(DemoFixture.sha256(body));
  }

  /** A response and its body, read while the response was current. */
  private record Exchange(HttpClientResponse response, String body) {
  }

  private Exchange get(HttpClient http, String path) throws Exception {
    return demo.onLoop(() -> http.request(HttpMethod.GET, demo.httpPort(), DemoFixture.HOST, path)
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> new Exchange(response, body.toString()))));
  }
}
