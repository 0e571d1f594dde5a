package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.ProxyProtocolVersion;
import io.ringway.tcp.impl.ProxyHeader;
import io.ringway.tcp.impl.ProxyProtocolEncoder;
import io.ringway.tcp.impl.Tunables;
import io.ringway.testkit.Ports;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PROXY protocol through the proxy: accepted from trusted clients only, passed to upstreams that
 * expect it, with the original client's address.
 */
class ProxyProtocolEndToEndTest {

  private static final InetSocketAddress ORIGINAL_CLIENT = new InetSocketAddress("203.0.113.7", 51234);
  private static final InetSocketAddress ORIGINAL_TARGET = new InetSocketAddress("198.51.100.1", 443);

  private Backend v2Upstream;
  private Backend v1Upstream;
  private ProxyFixture proxy;
  private int trusting;
  private int distrusting;
  private int plain;

  @BeforeEach
  void start() throws Exception {
    v2Upstream = Backend.start(Backend::proxyEcho);
    v1Upstream = Backend.start(Backend::proxyEcho);
    trusting = Ports.freeTcpPort();
    distrusting = Ports.freeTcpPort();
    plain = Ports.freeTcpPort();
    proxy = ProxyFixture.on("io_uring", 1).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("v2", v2Upstream).withSendProxyProtocol(ProxyProtocolVersion.V2),
            ProxyFixture.cluster("v1", v1Upstream).withSendProxyProtocol(ProxyProtocolVersion.V1)),
        List.of(ProxyFixture.acceptingProxy(ProxyFixture.listener("trusting", trusting, "v2"), "127.0.0.0/8"),
            ProxyFixture.acceptingProxy(ProxyFixture.listener("distrusting", distrusting, "v2"), "10.0.0.0/8"),
            ProxyFixture.listener("plain", plain, "v1"))), 1,
        Tunables.defaults().withProxyHeaderTimeout(Duration.ofMillis(300)));
  }

  @AfterEach
  void close() throws Exception {
    proxy.close();
    v2Upstream.close();
    v1Upstream.close();
  }

  @Test
  void aTrustedClientsHeaderReachesAV2UpstreamWithTheOriginalAddress() throws Exception {
    byte[] header = ProxyProtocolEncoder.v1(ORIGINAL_CLIENT, ORIGINAL_TARGET);
    try (Socket client = Clients.connect(trusting)) {
      OutputStream out = client.getOutputStream();
      // Split inside the header, and the first payload bytes in the same write as its end.
      out.write(header, 0, 9);
      out.flush();
      Thread.sleep(50);
      out.write(concat(java.util.Arrays.copyOfRange(header, 9, header.length), "hello".getBytes(StandardCharsets.US_ASCII)));
      out.flush();
      assertThat(new String(client.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
    }
    ProxyHeader seen = v2Upstream.headers.poll(5, TimeUnit.SECONDS);
    assertThat(seen.version()).isEqualTo(2);
    assertThat(seen.source()).isEqualTo(ORIGINAL_CLIENT);
    assertThat(seen.destination()).isEqualTo(ORIGINAL_TARGET);
  }

  @Test
  void aClientWithoutAHeaderIsSentUpstreamAsItselfInV1() throws Exception {
    try (Socket client = Clients.connect(plain)) {
      assertThat(Clients.roundTrip(client, "plain")).isEqualTo("plain");
      ProxyHeader seen = v1Upstream.headers.poll(5, TimeUnit.SECONDS);
      assertThat(seen.version()).isEqualTo(1);
      assertThat(seen.source().getPort()).isEqualTo(client.getLocalPort());
      assertThat(seen.source().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(seen.destination().getPort()).isEqualTo(plain);
    }
  }

  @Test
  void anUntrustedSourceIsClosedAndCounted() throws Exception {
    try (Socket client = Clients.connect(distrusting)) {
      // The proxy refuses on accept, so the close can beat this write: a reset on write is the same verdict.
      boolean resetOnWrite = false;
      try {
        client.getOutputStream().write(ProxyProtocolEncoder.v2(ORIGINAL_CLIENT, ORIGINAL_TARGET));
      } catch (SocketException reset) {
        resetOnWrite = true;
      }
      assertThat(resetOnWrite || Clients.closedByPeer(client)).isTrue();
    }
    Eventually.await(Duration.ofSeconds(5), "untrusted counted",
        () -> proxy.listener("distrusting").getLong("untrustedSources") == 1);
    assertThat(v2Upstream.accepted.get()).as("nothing reached the upstream").isZero();
  }

  @Test
  void aMalformedHeaderIsClosedAndCounted() throws Exception {
    try (Socket client = Clients.connect(trusting)) {
      client.getOutputStream().write("PROXY TCP4 203.0.113.7 nonsense\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(Clients.closedByPeer(client)).isTrue();
    }
    try (Socket client = Clients.connect(trusting)) {
      client.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(Clients.closedByPeer(client)).isTrue();
    }
    Eventually.await(Duration.ofSeconds(5), "rejects counted",
        () -> proxy.listener("trusting").getLong("proxyProtocolRejects") == 2);
    assertThat(v2Upstream.accepted.get()).isZero();
  }

  @Test
  void aHeaderThatNeverCompletesTimesOut() throws Exception {
    try (Socket client = Clients.connect(trusting)) {
      client.getOutputStream().write("PROXY TCP4 ".getBytes(StandardCharsets.US_ASCII));
      client.setSoTimeout(3_000);
      assertThat(Clients.closedByPeer(client)).isTrue();
    }
    assertThat(proxy.listener("trusting").getLong("proxyProtocolRejects")).isEqualTo(1);
  }

  @Test
  void onlyTheFirstHeaderIsParsedAndASecondOneIsStreamData() throws Exception {
    String second = "PROXY TCP4 192.0.2.9 192.0.2.10 1 2\r\n";
    try (Socket client = Clients.connect(trusting)) {
      client.setSoTimeout(5_000);
      OutputStream out = client.getOutputStream();
      out.write(concat(ProxyProtocolEncoder.v1(ORIGINAL_CLIENT, ORIGINAL_TARGET), second.getBytes(StandardCharsets.US_ASCII)));
      out.flush();
      byte[] echoed = client.getInputStream().readNBytes(second.length());
      assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo(second);
    }
    ProxyHeader seen = v2Upstream.headers.poll(5, TimeUnit.SECONDS);
    assertThat(seen.source()).as("the first header's client, not the second's").isEqualTo(ORIGINAL_CLIENT);
  }

  @Test
  void nothingReachesAnUpstreamBeforeTheHeaderIsComplete() throws Exception {
    byte[] header = ProxyProtocolEncoder.v2(ORIGINAL_CLIENT, ORIGINAL_TARGET);
    try (Socket client = Clients.connect(trusting)) {
      OutputStream out = client.getOutputStream();
      out.write(header, 0, header.length - 1);
      out.flush();
      Thread.sleep(150);
      assertThat(v2Upstream.accepted.get()).as("no upstream dialled for a partial header").isZero();
      out.write(header, header.length - 1, 1);
      out.flush();
      assertThat(Clients.roundTrip(client, "late")).isEqualTo("late");
    }
    assertThat(v2Upstream.headers.poll(5, TimeUnit.SECONDS).source()).isEqualTo(ORIGINAL_CLIENT);
  }

  @Test
  void aLocalHeaderKeepsTheConnectionsOwnAddresses() throws Exception {
    // v2 LOCAL, family byte 0x41 (unknown): the spec says to ignore the block, family included.
    byte[] local = java.util.HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "41" + "0004" + "deadbeef");
    try (Socket client = Clients.connect(trusting)) {
      client.getOutputStream().write(local);
      assertThat(Clients.roundTrip(client, "health")).isEqualTo("health");
      ProxyHeader seen = v2Upstream.headers.poll(5, TimeUnit.SECONDS);
      assertThat(seen.source().getPort()).isEqualTo(client.getLocalPort());
      assertThat(seen.source().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(seen.destination().getPort()).isEqualTo(trusting);
    }
  }

  @Test
  void aV1AddressWithLeadingZerosIsClosedAndCounted() throws Exception {
    try (Socket client = Clients.connect(trusting)) {
      client.getOutputStream().write("PROXY TCP4 203.0.113.07 198.51.100.1 1 2\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(Clients.closedByPeer(client)).isTrue();
    }
    Eventually.await(Duration.ofSeconds(5), "reject counted",
        () -> proxy.listener("trusting").getLong("proxyProtocolRejects") == 1);
    assertThat(v2Upstream.accepted.get()).isZero();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
