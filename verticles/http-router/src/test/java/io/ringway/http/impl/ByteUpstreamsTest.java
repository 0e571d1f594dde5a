package io.ringway.http.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.ringway.http.Eventually;
import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The byte-level path's idle upstream connections go away when nothing uses them, even when no request comes to put
 * another one back: closed past the idle timeout, forgotten once the upstream closed them. A real upstream socket.
 */
class ByteUpstreamsTest {

  private Vertx vertx;
  private ContextInternal context;
  private ServerSocket upstream;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  /** Connections the router closed: the upstream read end of stream on them. */
  private final AtomicInteger closedByRouter = new AtomicInteger();
  /** Closed after each test, on the loop. */
  private final List<ByteUpstreams> made = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    vertx = Vertx.vertx();
    context = (ContextInternal) vertx.getOrCreateContext();
    upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      try {
        while (true) {
          Socket socket = upstream.accept();
          accepted.add(socket);
          Thread.ofVirtual().start(() -> {
            try {
              if (socket.getInputStream().read() == -1) {
                closedByRouter.incrementAndGet();
              }
            } catch (IOException closedHere) {
              // this side closed it
            }
          });
        }
      } catch (IOException stopped) {
        // the test is over
      }
    });
  }

  @AfterEach
  void stop() throws Exception {
    onLoop(() -> {
      made.forEach(ByteUpstreams::close);
      return null;
    });
    upstream.close();
    for (Socket socket : accepted) {
      socket.close();
    }
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void anIdleConnectionIsClosedOnceIdleForTheTimeoutWithNoFurtherTraffic() throws Exception {
    ByteUpstreams upstreams = upstreams(Duration.ofSeconds(1));
    ByteUpstreams.Pool pool = putOneIdle(upstreams);

    Thread.sleep(500);
    assertThat(closedByRouter.get()).as("closed while idle for less than the timeout").isZero();
    assertThat(onLoop(pool::idleCount)).isEqualTo(1);

    Eventually.await("the idle connection closed", Duration.ofSeconds(5), () -> closedByRouter.get() == 1);
    assertThat(onLoop(pool::idleCount)).isZero();
  }

  @Test
  void aConnectionTheUpstreamClosedLeavesTheIdleListBeforeItsTimeout() throws Exception {
    ByteUpstreams upstreams = upstreams(Duration.ofSeconds(10));
    ByteUpstreams.Pool pool = putOneIdle(upstreams);
    Eventually.await("the upstream accepted", Duration.ofSeconds(5), () -> accepted.size() == 1);

    accepted.getFirst().close();
    // The sweep runs every quarter of the timeout: 2.5 s here, well before the connection's 10 s.
    Eventually.await("the closed connection forgotten", Duration.ofSeconds(8), () -> onLoopUnchecked(pool::idleCount) == 0);
  }

  /** Closed ones left from before the last sweep must not keep a live connection out of a full pool. */
  @Test
  void aPoolFullOfConnectionsTheUpstreamClosedStillKeepsALiveOne() throws Exception {
    ByteUpstreams upstreams = upstreams(Duration.ofSeconds(60));
    int full = CircuitBreakerConfig.DEFAULT_LIMIT;
    List<Channel> closing = new ArrayList<>();
    ByteUpstreams.Pool pool = null;
    for (int i = 0; i < full; i++) {
      pool = putOneIdle(upstreams, closing);
    }
    Eventually.await("the upstream accepted all", Duration.ofSeconds(10), () -> accepted.size() == full);
    for (Socket socket : accepted) {
      socket.close();
    }
    Eventually.await("the router saw them all closed", Duration.ofSeconds(10),
        () -> closing.stream().noneMatch(Channel::isActive));

    putOneIdle(upstreams, new ArrayList<>());
    assertThat(onLoop(pool::idleCount)).as("the closed ones forgotten, the live one kept").isEqualTo(1);
    Thread.sleep(200);
    assertThat(closedByRouter.get()).as("the live connection left open").isZero();
  }

  /** Pools on the test's loop whose idle connections close after {@code idleTimeout}. */
  private ByteUpstreams upstreams(Duration idleTimeout) throws Exception {
    ByteUpstreams upstreams = onLoop(() -> new ByteUpstreams(vertx, context.nettyEventLoop(), idleTimeout));
    made.add(upstreams);
    return upstreams;
  }

  /** Connects one upstream connection and puts it in its pool, as a clean exchange's end does. */
  private ByteUpstreams.Pool putOneIdle(ByteUpstreams upstreams) throws Exception {
    return putOneIdle(upstreams, new ArrayList<>());
  }

  /** {@link #putOneIdle(ByteUpstreams)}, adding the connection's channel to {@code channels}. */
  private ByteUpstreams.Pool putOneIdle(ByteUpstreams upstreams, List<Channel> channels) throws Exception {
    CompletableFuture<ByteUpstreams.Pool> kept = new CompletableFuture<>();
    context.runOnContext(v -> {
      ByteUpstreams.Pool pool = upstreams.pool(Endpoint.of("127.0.0.1", upstream.getLocalPort()));
      pool.connect(2000).addListener((ChannelFutureListener) connected -> {
        if (connected.isSuccess()) {
          channels.add(connected.channel());
          pool.put((ByteUpstream) connected.channel().pipeline().last());
          kept.complete(pool);
        } else {
          kept.completeExceptionally(connected.cause());
        }
      });
    });
    return kept.get(5, TimeUnit.SECONDS);
  }

  /** Pools are the loop's alone: asked on it. */
  private <T> T onLoop(Callable<T> question) throws Exception {
    CompletableFuture<T> answer = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        answer.complete(question.call());
      } catch (Exception e) {
        answer.completeExceptionally(e);
      }
    });
    return answer.get(5, TimeUnit.SECONDS);
  }

  private <T> T onLoopUnchecked(Callable<T> question) {
    try {
      return onLoop(question);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
