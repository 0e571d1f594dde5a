package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ListenFailureTest {

  private final DemoFixture demo = new DemoFixture();

  @AfterEach
  void close() throws Exception {
    demo.close();
  }

  @Test
  void aTakenHttpPortFailsStartNamingHostAndPortAndReleasesTheTcpPort() throws Exception {
    try (ServerSocket taken = bind(demo.httpPort())) {
      assertThatThrownBy(() -> demo.start(1)).hasMessage("demo-upstream: cannot listen on 127.0.0.1:"
          + demo.httpPort() + " (HTTP): Address already in use");
    }
    assertThatCode(() -> bind(demo.tcpPort()).close()).doesNotThrowAnyException();
  }

  @Test
  void aTakenTcpPortFailsStartNamingHostAndPort() throws Exception {
    try (ServerSocket taken = bind(demo.tcpPort())) {
      assertThatThrownBy(() -> demo.start(1)).hasMessage("demo-upstream: cannot listen on 127.0.0.1:"
          + demo.tcpPort() + " (TCP echo): Address already in use");
    }
  }

  private static ServerSocket bind(int port) throws Exception {
    return new ServerSocket(port, 1, InetAddress.getByName(DemoFixture.HOST));
  }
}
