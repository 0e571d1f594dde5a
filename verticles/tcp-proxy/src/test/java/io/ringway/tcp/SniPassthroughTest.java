package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.SniRouting;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.tcp.impl.ClientHellos;
import io.ringway.testkit.Ports;
import io.ringway.testkit.TestPki;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS passthrough by SNI on a real TCP listener (io_uring): TLS upstreams with certificates from a CA made here, a
 * JDK TLS client that checks them (so the handshake is the upstream's, not the proxy's), a recording upstream for
 * the bytes, and the peek's bounds; then the listener's new-connections-per-second limit.
 */
class SniPassthroughTest {

  @TempDir
  Path dir;
  private ProxyFixture fixture;
  private final BlockingQueue<byte[]> recorded = new LinkedBlockingQueue<>();

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void theServerNamePicksTheClusterAndTheTlsSessionIsTheUpstreamsOwn() throws Exception {
    TestPki pki = TestPki.create(dir);
    fixture = ProxyFixture.on("io_uring", 1);
    int a = tlsUpstream(pki.server("a", "a.test"), "A");
    int b = tlsUpstream(pki.server("b", "b.test", "x.wild.test"), "B");
    int fallback = tlsUpstream(pki.server("d", "d.test"), "D");
    int port = Ports.freeTcpPort();
    SniRouting sni = new SniRouting(List.of(new SniRouting.Route(List.of("a.test"), "a"),
        new SniRouting.Route(List.of("B.test", "*.wild.test"), "b")), SniRouting.Unmatched.DEFAULT, 16_384,
        Duration.ofSeconds(5));
    deploy(port, sni, 0, List.of(cluster("a", a), cluster("b", b), cluster("d", fallback)));

    assertThat(tls(pki, port, "a.test")).isEqualTo("CN=a.test A");
    assertThat(tls(pki, port, "b.test")).isEqualTo("CN=b.test B");
    assertThat(tls(pki, port, "x.wild.test")).isEqualTo("CN=b.test B");
    assertThat(tls(pki, port, "d.test")).as("no route: the listener's cluster").isEqualTo("CN=d.test D");
    assertThat(tls(pki, port, null)).as("no SNI: the listener's cluster").isEqualTo("CN=d.test D");
    assertThat(fixture.listener("sni").getLong("sniRouted")).isEqualTo(3);
    assertThat(fixture.listener("sni").getLong("sniDefault")).isEqualTo(2);
  }

  @Test
  void thePeekedBytesArriveUntouchedAndItsBoundsHold() throws Exception {
    fixture = ProxyFixture.on("io_uring", 1);
    Backend recorder = Backend.start((socket, backend) -> recorded.add(socket.getInputStream().readAllBytes()));
    int port = Ports.freeTcpPort();
    SniRouting sni = new SniRouting(List.of(new SniRouting.Route(List.of("r.test"), "r")),
        SniRouting.Unmatched.CLOSE, 1024, Duration.ofMillis(400));
    deploy(port, sni, 0, List.of(ProxyFixture.cluster("r", recorder)));

    // A hello split over two TLS records, sent in three writes, then application bytes.
    byte[] hello = ClientHellos.clientHello("r.test", 300);
    byte[] sent = concat(ClientHellos.splitIntoRecords(hello, 100), "then the rest".getBytes(StandardCharsets.US_ASCII));
    try (Socket socket = Clients.connect(port)) {
      socket.getOutputStream().write(sent, 0, 7);
      Thread.sleep(50);
      socket.getOutputStream().write(sent, 7, 200);
      socket.getOutputStream().write(sent, 207, sent.length - 207);
      socket.shutdownOutput();
      assertThat(recorded.poll(5, TimeUnit.SECONDS)).isEqualTo(sent);
    }
    assertThat(closedUnrouted(port, "GET / HTTP/1.1\r\nHost: r.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
        .as("not TLS, unmatched: close").isTrue();
    assertThat(closedUnrouted(port, ClientHellos.clientHello("other.test", 0))).as("unknown name").isTrue();
    assertThat(closedUnrouted(port, new byte[] {22, 3, 1})).as("a hello that never completes: the timeout").isTrue();
    byte[] huge = ClientHellos.clientHello("r.test", 2000);
    assertThat(closedUnrouted(port, huge)).as("a hello longer than peekBytes").isTrue();
    assertThat(recorded).isEmpty();
    assertThat(fixture.listener("sni").getLong("sniRouted")).isEqualTo(1);
    assertThat(fixture.listener("sni").getLong("sniClosed")).isEqualTo(4);
    assertThat(fixture.listener("sni").getLong("sniTimeouts")).isEqualTo(1);
    assertThat(fixture.listener("sni").getLong("sniTooLarge")).isEqualTo(1);
  }

  @Test
  void newConnectionsOverTheRateAreResetAndCountedAndTheBucketRefills() throws Exception {
    fixture = ProxyFixture.on("io_uring", 1);
    Backend echo = Backend.start(Backend::echo);
    int port = Ports.freeTcpPort();
    deploy(port, null, 2, List.of(ProxyFixture.cluster("r", echo)));

    int served = 0;
    long start = System.nanoTime();
    for (int i = 0; i < 8; i++) {
      try (Socket socket = Clients.connect(port)) {
        if ("hi".equals(tryRoundTrip(socket))) {
          served++;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // A burst of one second's worth (2), then 2 a second while the loop ran.
    assertThat(served).isBetween(2, 2 + (int) Math.ceil(seconds * 2));
    assertThat(fixture.listener("sni").getLong("rateLimited")).isEqualTo(8 - served);
    Thread.sleep(1100);
    try (Socket socket = Clients.connect(port)) {
      assertThat(tryRoundTrip(socket)).isEqualTo("hi");
    }
  }

  private void deploy(int port, SniRouting sni, int perSecond, List<ClusterConfig> clusters) throws Exception {
    TcpListenerConfig listener = new TcpListenerConfig("sni", Clients.HOST, port, sni == null ? "r"
        : sni.unmatched() == SniRouting.Unmatched.CLOSE ? "r" : "d", null, Duration.ZERO, 10_000, 0, false, List.of(),
        sni, perSecond);
    fixture.deploy(ProxyFixture.config(clusters, List.of(listener)), 1);
  }

  private static ClusterConfig cluster(String name, int port) {
    return ClusterConfig.of(name, List.of(Endpoint.of(Clients.HOST, port))).withConnectTimeout(Duration.ofSeconds(2));
  }

  /** A TLS server that writes {@code reply} to every connection once the handshake is done. */
  private int tlsUpstream(TestPki.Issued cert, String reply) throws Exception {
    return fixture.vertx.createNetServer(new NetServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(cert.certFile().toString()).setKeyPath(cert.keyFile().toString())))
        .connectHandler(socket -> socket.write(Buffer.buffer(reply)).onComplete(done -> socket.close()))
        .listen(Ports.freeTcpPort(), Clients.HOST).await(10, TimeUnit.SECONDS).actualPort();
  }

  /** A verifying TLS handshake through the proxy: the subject the client saw and what the upstream wrote. */
  private static String tls(TestPki pki, int port, String serverName) throws Exception {
    SSLContext context = pki.clientContext();
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(Clients.HOST, port)) {
      socket.setSoTimeout(5000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      String subject = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
      return subject + " " + new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** Sends {@code bytes} and reports whether the proxy closed the connection without a byte back. */
  private static boolean closedUnrouted(int port, byte[] bytes) throws Exception {
    try (Socket socket = Clients.connect(port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(bytes);
      try {
        return socket.getInputStream().read() < 0;
      } catch (java.net.SocketException reset) {
        return true;
      }
    }
  }

  private static String tryRoundTrip(Socket socket) {
    try {
      return Clients.roundTrip(socket, "hi");
    } catch (Exception refused) {
      return null;
    }
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

}
