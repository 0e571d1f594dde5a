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
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Shuts a Vert.x server down while clients keep connecting to it, as a drain under connection churn does,
 * and counts the warnings Netty logs for connections it accepted but could not register with a loop.
 */
public final class ShutdownFloodProbe {

  private static final String WARNING = "Failed to register an accepted channel";
  private static final int CLIENTS = 4;
  private static final int ACCEPTED_BEFORE_SHUTDOWN = 300;
  private static final long FLOOD_AFTER_SHUTDOWN_MILLIS = 300;

  /**
   * What one run saw.
   *
   * @param accepted connections the server took before its shutdown
   * @param registrationWarnings Netty's warnings, during and after the shutdown
   * @param connectedAfterShutdown client connects that succeeded from 100 ms after the shutdown completed on
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
    Handler counter = new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getMessage() != null && record.getMessage().contains(WARNING)) {
          warnings.incrementAndGet();
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger netty = Logger.getLogger(ServerBootstrap.class.getName());
    netty.addHandler(counter);
    AtomicInteger accepted = new AtomicInteger();
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicBoolean closed = new AtomicBoolean();
    AtomicInteger connectedAfterShutdown = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    try {
      NetServer server = vertx.createNetServer().connectHandler(socket -> accepted.incrementAndGet());
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.actualPort());
      for (int i = 0; i < CLIENTS; i++) {
        Thread client = Thread.ofPlatform().daemon().name("flood-" + i).start(() -> {
          while (flooding.get()) {
            try (Socket socket = new Socket()) {
              socket.connect(address, 500);
              if (closed.get()) {
                connectedAfterShutdown.incrementAndGet();
              }
            } catch (IOException refusedOnceClosed) {
              // expected after the shutdown
            }
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
      Thread.sleep(100);
      closed.set(true);
      Thread.sleep(FLOOD_AFTER_SHUTDOWN_MILLIS);
      return new Result(acceptedBefore, warnings.get(), connectedAfterShutdown.get());
    } finally {
      flooding.set(false);
      for (Thread client : clients) {
        client.join(5_000);
      }
      netty.removeHandler(counter);
    }
  }
}
