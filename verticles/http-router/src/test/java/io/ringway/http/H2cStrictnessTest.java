package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.OnContext;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link StrictnessTest} on a listener that also takes h2c: Vert.x decodes such a connection's first
 * request before telling the router about it, so here strictness hangs on the transport's accepted-channel
 * hook instead.
 */
class H2cStrictnessTest extends StrictnessTest {

  @Override
  boolean h2c() {
    return true;
  }

  @Test
  void priorKnowledgeHttp2StillWorksAndOutlivesTheHeadTimeout() throws Exception {
    HttpClient h2 = fixture().vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    try {
      RequestOptions get = new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture().port).setURI("/");
      // From the fixture's context: a chain built on the test's thread can ask for the body after its end
      // (see Reply).
      String first = OnContext.call(fixture().context, () -> h2.request(get).compose(r -> r.send()).compose(r -> {
        assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2);
        return r.body();
      })).get(5, TimeUnit.SECONDS).toString();
      // Longer than the listener's 500 ms head timeout: an HTTP/2 connection has no HTTP/1 head to wait for.
      Thread.sleep(800);
      String second = OnContext.call(fixture().context, () -> h2.request(get).compose(r -> r.send())
          .compose(r -> r.body())).get(5, TimeUnit.SECONDS).toString();
      assertThat(first).isEqualTo("b");
      assertThat(second).isEqualTo("b");
    } finally {
      h2.close().await(5, TimeUnit.SECONDS);
    }
  }
}
