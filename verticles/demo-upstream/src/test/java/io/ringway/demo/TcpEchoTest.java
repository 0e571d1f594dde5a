package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The raw echo on each transport it may run on: half-close handling is transport code in Netty. */
class TcpEchoTest {

  private static final int TEN_MIB = 10 << 20;
  private static final int SLICE = 64 << 10;

  private DemoFixture demo;

  @AfterEach
  void close() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"nio", "io_uring"})
  void tenMibRoundTripIdenticallyOverANetClient(String transport) throws Exception {
    demo = new DemoFixture(DemoFixture.transport(transport)).start(1);
    byte[] payload = DemoFixture.randomBytes(TEN_MIB);
    CompletableFuture<String> echoedDigest = new CompletableFuture<>();

    Context client = demo.vertx.getOrCreateContext();
    // Held to the end: Vert.x closes an unreachable client, and with it its connection, when the GC finds it.
    NetClient dialler = demo.vertx.createNetClient();
    client.runOnContext(ignored -> dialler.connect(demo.tcpPort(), DemoFixture.HOST)
        .onFailure(echoedDigest::completeExceptionally)
        .onSuccess(socket -> {
          MessageDigest digest = DemoFixture.sha256();
          long[] received = {0};
          socket.handler(data -> {
            digest.update(data.getBytes());
            received[0] += data.length();
            if (received[0] == payload.length) {
              echoedDigest.complete(HexFormat.of().formatHex(digest.digest()));
              socket.close();
            }
          });
          writeFrom(socket, payload, 0);
        }));

    assertThat(echoedDigest.get(30, TimeUnit.SECONDS)).isEqualTo(DemoFixture.sha256(payload));
    dialler.close().await(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nio", "io_uring"})
  void afterTheClientsFinEverythingIsEchoedThenTheServerCloses(String transport) throws Exception {
    demo = new DemoFixture(DemoFixture.transport(transport)).start(1);
    byte[] payload = DemoFixture.randomBytes(TEN_MIB);

    try (Socket socket = new Socket(DemoFixture.HOST, demo.tcpPort())) {
      CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = socket.getOutputStream();
          out.write(payload);
          out.flush();
          socket.shutdownOutput();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      MessageDigest digest = DemoFixture.sha256();
      long received = 0;
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[SLICE];
      socket.setSoTimeout(30_000);
      for (int n; (n = in.read(buffer)) != -1; ) {
        digest.update(buffer, 0, n);
        received += n;
      }
      written.get(5, TimeUnit.SECONDS);

      assertThat(received).as("bytes echoed before the server's FIN").isEqualTo(payload.length);
      assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(DemoFixture.sha256(payload));
    }
  }

  /** Writes on the socket's context, waiting for drain whenever the write queue is full. */
  private static void writeFrom(NetSocket socket, byte[] payload, int start) {
    socket.drainHandler(null);
    int offset = start;
    while (offset < payload.length) {
      int length = Math.min(SLICE, payload.length - offset);
      socket.write(Buffer.buffer().appendBytes(payload, offset, length));
      offset += length;
      if (socket.writeQueueFull()) {
        int next = offset;
        socket.drainHandler(ignored -> writeFrom(socket, payload, next));
        return;
      }
    }
  }
}
