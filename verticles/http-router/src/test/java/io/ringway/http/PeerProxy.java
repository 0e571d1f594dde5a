package io.ringway.http;

import io.ringway.testkit.Capabilities;
import io.ringway.testkit.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * nginx or HAProxy run by the test as the oracle: started in the foreground on a free loopback port with a
 * config written under its own temp dir, forwarding to the shared backend, destroyed on close and by a JVM
 * shutdown hook, so a killed test run leaves no proxy behind.
 */
final class PeerProxy implements AutoCloseable {

  /** The backend always answers a whole request at once; a slow answer is a cold JIT, not a case's doing. */
  static final long UPSTREAM_TIMEOUT_MILLIS = 5000;

  /** Where each peer connects to the backend from (all of 127/8 is local on Linux), so its hits are its own. */
  static final String NGINX_SOURCE = "127.0.0.2";
  static final String HAPROXY_SOURCE = "127.0.0.3";

  final String name;
  final int port;
  final Path dir;
  private final Process process;
  private final Thread hook;

  private PeerProxy(String name, int port, Path dir, List<String> command) throws IOException {
    this.name = name;
    this.port = port;
    this.dir = dir;
    this.process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    this.hook = new Thread(this::kill, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** nginx with one worker in the foreground; header and body timeouts of {@code timeoutMillis}. */
  static PeerProxy nginx(int backendPort, long timeoutMillis, Path root) throws Exception {
    return nginx(backendPort, timeoutMillis, root, UPSTREAM_TIMEOUT_MILLIS);
  }

  /** The same, waiting {@code upstreamTimeoutMillis} for the backend's connect, writes and answer. */
  static PeerProxy nginx(int backendPort, long timeoutMillis, Path root, long upstreamTimeoutMillis) throws Exception {
    Path binary = require("nginx");
    Path dir = Files.createDirectories(root.resolve("nginx"));
    Files.createDirectories(dir.resolve("logs"));
    int port = Ports.freeTcpPort();
    String t = timeoutMillis + "ms";
    // As root nginx would run its worker as nobody, who cannot enter a 0700 temp dir to buffer bodies.
    String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    String conf = user + """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          client_header_timeout %2$s;
          client_body_timeout %2$s;
          keepalive_timeout %2$s;
          send_timeout %2$s;
          server {
            listen 127.0.0.1:%3$d;
            location / {
              proxy_pass http://127.0.0.1:%4$d;
              proxy_bind %6$s;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_connect_timeout %5$dms;
              proxy_read_timeout %5$dms;
              proxy_send_timeout %5$dms;
            }
          }
        }
        """.formatted(dir, t, port, backendPort, upstreamTimeoutMillis, NGINX_SOURCE);
    Files.writeString(dir.resolve("nginx.conf"), conf);
    return started(new PeerProxy("nginx", port, dir, List.of(binary.toString(), "-p", dir + "/", "-c",
        dir.resolve("nginx.conf").toString(), "-e", dir.resolve("logs/error.log").toString())));
  }

  /** HAProxy in the foreground ({@code -db}), mode http; request, client, keep-alive timeouts of {@code timeoutMillis}. */
  static PeerProxy haproxy(int backendPort, long timeoutMillis, Path root) throws Exception {
    return haproxy(backendPort, timeoutMillis, root, 3);
  }

  /**
   * The same with {@code retries} connect retries (HAProxy's default, 3, waits a second before each when the connect
   * is refused).
   */
  static PeerProxy haproxy(int backendPort, long timeoutMillis, Path root, int retries) throws Exception {
    return haproxy(backendPort, timeoutMillis, root, retries, UPSTREAM_TIMEOUT_MILLIS);
  }

  /** The same, waiting {@code upstreamTimeoutMillis} for the backend's connect and answer. */
  static PeerProxy haproxy(int backendPort, long timeoutMillis, Path root, int retries, long upstreamTimeoutMillis)
      throws Exception {
    Path binary = require("haproxy");
    Path dir = Files.createDirectories(root.resolve("haproxy"));
    int port = Ports.freeTcpPort();
    String conf = """
        global
          maxconn 256
        defaults
          mode http
          timeout connect %2$dms
          timeout client %1$dms
          timeout server %2$dms
          timeout http-request %1$dms
          timeout http-keep-alive %1$dms
          retries %6$d
        frontend fuzz
          bind 127.0.0.1:%3$d
          default_backend upstream
        backend upstream
          server backend 127.0.0.1:%4$d source %5$s
        """.formatted(timeoutMillis, upstreamTimeoutMillis, port, backendPort, HAPROXY_SOURCE, retries);
    Files.writeString(dir.resolve("haproxy.cfg"), conf);
    return started(new PeerProxy("haproxy", port, dir, List.of(binary.toString(), "-db", "-f",
        dir.resolve("haproxy.cfg").toString())));
  }

  /** The binary on PATH or in /usr/sbin; skips (fails under CI=true) when there is none. */
  static Path require(String binary) {
    Optional<Path> found = Stream.concat(
            Stream.of(System.getenv().getOrDefault("PATH", "").split(":")), Stream.of("/usr/sbin", "/usr/local/sbin"))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, binary)).filter(Files::isExecutable).findFirst();
    Capabilities.require(binary, found.isPresent(), "no " + binary + " binary on PATH or in /usr/sbin");
    return found.orElseThrow();
  }

  /** Waits until the port takes connections: the process is up and listening, or it died (its log says why). */
  private static PeerProxy started(PeerProxy peer) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!peer.process.isAlive()) {
        String log = Files.readString(peer.dir.resolve("stdout.log"));
        peer.close();
        throw new IllegalStateException(peer.name + " exited with " + peer.process.exitValue() + ": " + log);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(RouterFixture.HOST, peer.port), 200);
        return peer;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    peer.close();
    throw new IllegalStateException(peer.name + " did not listen on " + peer.port + " within 10 s");
  }

  /** SIGKILL to nginx's master would orphan its worker, so the children go first. */
  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  @Override
  public void close() throws InterruptedException {
    // SIGTERM: nginx's master stops its worker, HAProxy exits.
    process.destroy();
    if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      kill();
      process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running already.
    }
  }
}
