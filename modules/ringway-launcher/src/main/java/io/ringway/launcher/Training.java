package io.ringway.launcher;

import io.ringway.config.PluginCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code java -XX:AOTCacheOutput=ringway.aot -jar ringway.jar train}: the build's training run for JDK 25's AOT cache
 * (JEP 483/514/515). It starts a whole node on loopback ports of its own (admin, demo upstream, TCP proxy, HTTP
 * router on one event loop), drives it with {@link TrainingLoad} for {@code ringway.train.seconds} (default 8), and
 * exits; the JVM then writes the classes it loaded and linked and the method profiles it gathered into the cache, so a
 * later start with {@code -XX:AOTCache} skips class loading and starts compiling hot methods at once. Bounded: a
 * watchdog ends the JVM (without a cache) if the node is not ready within 30 s or the run overstays by 30 s.
 */
final class Training {

  static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private Training() {
  }

  static int run(PluginCatalog catalog) {
    long seconds = Long.getLong("ringway.train.seconds", 8);
    Thread.ofPlatform().name("train-watchdog").daemon().start(() -> {
      try {
        Thread.sleep(READY_TIMEOUT.plusSeconds(seconds + 30).toMillis());
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("ringway train: overstayed; exiting without a cache");
      Runtime.getRuntime().halt(RingwayLauncher.EXIT_CANNOT_START);
    });
    int[] ports = freePorts(5);
    int http = ports[0], tcp = ports[1], admin = ports[2], demoHttp = ports[3], demoTcp = ports[4];
    Path conf = writeConfig(http, tcp, admin, demoHttp, demoTcp);
    int started = RingwayLauncher.start(catalog, new LaunchArguments(LaunchArguments.Command.RUN, conf, false));
    if (started != 0 || !awaitReady(admin)) {
      System.err.println("ringway train: the node did not get ready");
      return RingwayLauncher.EXIT_CANNOT_START;
    }
    TrainingLoad load = new TrainingLoad(http, tcp, admin, true, 1);
    try {
      load.run(System.nanoTime() + Duration.ofSeconds(seconds).toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.err.printf("ringway train: %d requests in %d s (%d failed); the JVM writes the AOT cache on exit%n",
        load.requests(), seconds, load.failures());
    load.abandoned().forEach(client -> System.err.println("ringway train: gave up on the client " + client));
    return 0;
  }

  private static Path writeConfig(int http, int tcp, int admin, int demoHttp, int demoTcp) {
    String yaml = """
        transport: auto
        eventLoops: 1
        verticles: [admin, demo-upstream, tcp-proxy, http-router]
        admin: {host: 127.0.0.1, port: %d, drainTimeout: 1s, drainCloseSpread: 0s}
        demoUpstream: {host: 127.0.0.1, httpPort: %d, tcpPort: %d}
        clusters:
          - name: demo-tcp
            endpoints: [{host: 127.0.0.1, port: %d}]
          - name: demo-http
            endpoints: [{host: 127.0.0.1, port: %d}]
        tcp:
          listeners:
            - {name: train, host: 127.0.0.1, port: %d, cluster: demo-tcp}
        http:
          listeners:
            # conf/ringway.yaml's listener: the cache holds the profiles of the path a node on the shipped config runs
            - {name: train, host: 127.0.0.1, port: %d, h2c: true, byteLevelHttp1: true}
          routes:
            - {name: bus, match: {path: {prefix: /bus}}, target: "eventbus:ringway.demo.echo"}
            - {name: demo, target: demo-http}
        """.formatted(admin, demoHttp, demoTcp, demoTcp, demoHttp, tcp, http);
    try {
      Path file = Files.createTempFile("ringway-train", ".yaml");
      file.toFile().deleteOnExit();
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ports free a moment ago (the kernel's ephemeral range, all held at once so they differ). */
  static int[] freePorts(int count) {
    ServerSocket[] sockets = new ServerSocket[count];
    int[] ports = new int[count];
    try {
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      for (ServerSocket socket : sockets) {
        socket.close();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean awaitReady(int admin) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket("127.0.0.1", admin)) {
        socket.setSoTimeout(2_000);
        socket.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: train\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        if (new String(in.readNBytes(12), StandardCharsets.US_ASCII).endsWith("200")) {
          return true;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
