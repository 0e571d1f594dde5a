package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpEchoTest {

  private static final int FIVE_MIB = 5 << 20;
  private static final int SLICE = 64 << 10;

  private final DemoFixture demo = new DemoFixture();

  @BeforeEach
  void start() throws Exception {
    demo.start(1);
  }

  @AfterEach
  void close() throws Exception {
    demo.close();
  }

  @Test
  void echoesABodyWithContentLengthByteForByteWithTheSameLength() throws Exception {
    byte[] body = DemoFixture.randomBytes(FIVE_MIB);

    HttpResponse<Buffer> response = WebClient.create(demo.vertx)
        .post(demo.httpPort(), DemoFixture.HOST, "/echo")
        .putHeader("Content-Type", "application/x-ringway-test")
        .sendBuffer(Buffer.buffer(body))
        .await(20, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Length")).isEqualTo(String.valueOf(FIVE_MIB));
    assertThat(response.getHeader("Transfer-Encoding")).isNull();
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/x-ringway-test");
    assertThat(DemoFixture.sha256(response.body().getBytes())).isEqualTo(DemoFixture.sha256(body));
  }

  @Test
  void echoesAChunkedBodyByteForByteChunked() throws Exception {
    byte[] body = DemoFixture.randomBytes(FIVE_MIB);
    HttpClient http = demo.vertx.createHttpClient();
    HttpClientResponse[] response = new HttpClientResponse[1];

    Buffer echoed = demo.onLoop(() -> http.request(HttpMethod.POST, demo.httpPort(), DemoFixture.HOST, "/echo")
        .compose(request -> sendChunked(request, body))
        .compose(received -> {
          response[0] = received;
          return received.body();
        }));

    assertThat(response[0].statusCode()).isEqualTo(200);
    assertThat(response[0].getHeader("Transfer-Encoding")).isEqualTo("chunked");
    assertThat(response[0].getHeader("Content-Length")).isNull();
    assertThat(response[0].getHeader("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(DemoFixture.sha256(echoed.getBytes())).isEqualTo(DemoFixture.sha256(body));
  }

  private static Future<HttpClientResponse> sendChunked(HttpClientRequest request, byte[] body) {
    request.setChunked(true).putHeader("Content-Type", "application/octet-stream");
    for (int offset = 0; offset < body.length; offset += SLICE) {
      request.write(Buffer.buffer().appendBytes(body, offset, Math.min(SLICE, body.length - offset)));
    }
    request.end();
    return request.response();
  }
}
