package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.config.AdminConfig;
import io.vertx.core.http.HttpMethod;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminListenerTest {

  private final AdminFixture admin = new AdminFixture();

  @AfterEach
  void close() throws Exception {
    admin.close();
  }

  @Test
  void startFailsNamingTheAddressWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(admin.port, 1, InetAddress.getByName(AdminFixture.HOST))) {
      assertThatThrownBy(() -> admin.start(null))
          .hasMessage("admin: cannot listen on 127.0.0.1:" + admin.port + ": Address already in use");
    }
  }

  @Test
  void aNonLoopbackListenerWithoutATokenIsRefused() {
    AdminVerticle exposed = new AdminVerticle(new AdminConfig("0.0.0.0", admin.port, null));

    assertThatThrownBy(() -> admin.vertx.deployVerticle(exposed).await(10, TimeUnit.SECONDS))
        .hasMessage("admin: host 0.0.0.0 is not a loopback address; set admin.token to listen on it");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405() throws Exception {
    admin.start(null);

    assertThat(admin.get("/nope").statusCode()).isEqualTo(404);
    assertThat(admin.call(HttpMethod.POST, "/healthz", request -> request).statusCode()).isEqualTo(405);
  }

  /**
   * RFC 9110 §5.1: a field name is compared whole. {@code Content-Nength} is no Content-Length, so the bytes after the
   * head are the next request ({@code helloGET /healthz}), as nginx, HAProxy and the router read them; Vert.x 5.0.10's
   * decoder read them as a body and answered the request they hid (200 to the GET), a desync with any proxy in front.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Content-Nength", "Content-Length"})
  void aFieldNamedLikeContentLengthIsOnlyOneWhenItIsOne(String name) throws Exception {
    admin.start(null);
    String response = exchange("POST /healthz HTTP/1.1\r\nHost: h\r\n" + name + ": 5\r\n\r\nhello"
        + "GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 405 ");
    if (name.equals("Content-Length")) {
      assertThat(response).contains("HTTP/1.1 200 OK");
    } else {
      // "helloGET" is a method token: a request of its own, for which /healthz has no route either.
      assertThat(response).as("the bytes after the head read as a request").doesNotContain("HTTP/1.1 200")
          .containsPattern("(?s)405 .*405 ");
    }
  }

  /** Sends {@code request} and returns what came back until the server closed (or 5 s). */
  private String exchange(String request) throws Exception {
    try (Socket socket = new Socket(AdminFixture.HOST, admin.port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void undeployingReleasesThePort() throws Exception {
    admin.start(null);
    String deployment = admin.vertx.deploymentIDs().iterator().next();

    admin.vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);

    try (ServerSocket free = bindWithin(admin.port, Duration.ofSeconds(5))) {
      assertThat(free.getLocalPort()).isEqualTo(admin.port);
    }
  }

  /**
   * Undeploy's future can complete a moment before the kernel closes the listener: NIO closes a channel registered
   * with a selector only when that selector next flushes its cancelled keys (CI failed on an immediate bind so).
   */
  private static ServerSocket bindWithin(int port, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try {
        return new ServerSocket(port, 1, InetAddress.getByName(AdminFixture.HOST));
      } catch (BindException stillListening) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("port " + port + " still taken " + limit + " after undeploy", stillListening);
        }
        Thread.sleep(10);
      }
    }
  }
}
