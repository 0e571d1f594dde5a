package io.ringway.testkit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shuts a Vert.x server down while clients keep connecting to it, as a drain under connection churn does,
 * and counts the warnings Netty logs for connections it accepted but could not register with a loop.
 */
public final class ShutdownFloodProbe {

  private static final String WARNING = "Failed to register an accepted channel";
  private static final int CLIENTS = 4;
  /** Connect attempts of the flood in all: unbounded, it made ~40,000 in one run, most of the ephemeral ports. */
  private static final int MAX_CONNECTS = 5_000;
  private static final int ACCEPTED_BEFORE_SHUTDOWN = 300;
  private static final int CONNECTS_AFTER_SHUTDOWN = 20;

  /**
   * What one run saw.
   *
   * @param accepted connections the server took before its shutdown
   * @param registrationWarnings Netty's warnings, during and after the shutdown
   * @param connectedAfterShutdown of {@value #CONNECTS_AFTER_SHUTDOWN} connects 100 ms after the shutdown, those
   *     that succeeded
   */
  public record Result(int accepted, int registrationWarnings, int connectedAfterShutdown) {

    /** Fails unless the flood reached the server, and nothing was logged or accepted once it was shut down. */
    public void assertQuiet() {
      assertAll(
          () -> assertTrue(accepted > 0, "the flood never reached the server"),
          () -> assertEquals(0, registrationWarnings, "Netty's 'Failed to register' warnings"),
          () -> assertEquals(0, connectedAfterShutdown, "connects that succeeded once the server was shut down"));
    }
  }

  private ShutdownFloodProbe() {
  }

  /** Runs the flood against a server on a Vert.x instance of {@code plugin}'s transport. */
  public static Result run(TransportPlugin plugin) throws Exception {
    Vertx vertx = Vertx.builder().withTransport(plugin.create(new JsonObject())).build();
    try {
      return run(vertx);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Result run(Vertx vertx) throws Exception {
    if (!(InternalLoggerFactory.getDefaultFactory() instanceof JdkLoggerFactory)) {
      // Counting on a logger Netty does not write to would pass whatever happens.
      throw new IllegalStateException("Netty logs through " + InternalLoggerFactory.getDefaultFactory()
          + ", not java.util.logging: the probe cannot see its warnings");
    }
    AtomicInteger warnings = new AtomicInteger();
    LogWatch netty = LogWatch.on(ServerBootstrap.class.getName(), record -> {
      if (record.getMessage() != null && record.getMessage().contains(WARNING)) {
        warnings.incrementAndGet();
      }
    });
    AtomicInteger accepted = new AtomicInteger();
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger attempts = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    try {
      NetServer server = vertx.createNetServer().connectHandler(socket -> accepted.incrementAndGet());
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.actualPort());
      for (int i = 0; i < CLIENTS; i++) {
        Thread client = Thread.ofPlatform().daemon().name("flood-" + i).start(() -> {
          while (flooding.get() && attempts.incrementAndGet() <= MAX_CONNECTS) {
            connects(address);
          }
        });
        clients.add(client);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (accepted.get() < ACCEPTED_BEFORE_SHUTDOWN && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      int acceptedBefore = accepted.get();
      server.shutdown(0, TimeUnit.MILLISECONDS).await(10, TimeUnit.SECONDS);
      stop(flooding, clients);
      Thread.sleep(100);
      int connectedAfterShutdown = 0;
      for (int i = 0; i < CONNECTS_AFTER_SHUTDOWN; i++) {
        connectedAfterShutdown += connects(address) ? 1 : 0;
      }
      return new Result(acceptedBefore, warnings.get(), connectedAfterShutdown);
    } finally {
      stop(flooding, clients);
      netty.close();
    }
  }

  private static void stop(AtomicBoolean flooding, List<Thread> clients) throws InterruptedException {
    flooding.set(false);
    for (Thread client : clients) {
      client.join(5_000);
    }
  }

  /** One connect and close, with a reset so no TIME_WAIT is left on a port later tests may pick. */
  private static boolean connects(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.setSoLinger(true, 0);
      socket.connect(address, 500);
      return true;
    } catch (IOException refusedOnceClosed) {
      return false;
    }
  }
}
