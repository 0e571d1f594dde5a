package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstancesTest {

  private static final int CONNECTIONS = 8;

  private final DemoFixture demo = new DemoFixture();

  @AfterEach
  void close() throws Exception {
    demo.close();
  }

  @Test
  void twoInstancesShareThePortsAndBothServe() throws Exception {
    demo.start(2);
    HttpClient http = demo.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    NetClient tcp = demo.vertx.createNetClient();

    for (int i = 0; i < CONNECTIONS; i++) {
      String greeting = demo.onLoop(() -> http.request(HttpMethod.GET, demo.httpPort(), DemoFixture.HOST, "/")
          .compose(request -> request.send())
          .compose(HttpClientResponse::body))
          .toString();
      assertThat(greeting).contains("node node-a");
      assertThat(echo(tcp, "ping " + i)).isEqualTo("ping " + i);
    }

    assertThat(demo.instances).hasSize(2)
        .allSatisfy(instance -> assertThat(instance.acceptedConnections()).isPositive());
    assertThat(demo.instances.stream().mapToLong(DemoUpstreamVerticle::acceptedConnections).sum())
        .isEqualTo(2 * CONNECTIONS);
  }

  private String echo(NetClient tcp, String text) throws Exception {
    NetSocket socket = tcp.connect(demo.tcpPort(), DemoFixture.HOST).await(10, TimeUnit.SECONDS);
    Promise<String> echoed = Promise.promise();
    Buffer received = Buffer.buffer();
    socket.handler(data -> {
      received.appendBuffer(data);
      if (received.length() >= text.length()) {
        echoed.tryComplete(received.toString());
      }
    });
    socket.write(text);
    try {
      return echoed.future().await(10, TimeUnit.SECONDS);
    } finally {
      socket.close();
    }
  }
}
