import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.transport.Transport;
import io.vertx.httpproxy.HttpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plain vertx-http-proxy 5.0.10 reverse proxy for bench/http.sh's peer row {@code vertx_http_proxy}: one io_uring
 * event loop, keep-alive pools to the backend, none of Ringway's work (no strictness checks, routing, retries, stats,
 * timers, x-forwarded-*). Not part of Ringway.
 *
 * <p>It takes Ringway's bench config so bench/warm-start.sh warms it the way it warms Ringway: it listens on the
 * {@code bench} listener's port of {@code --conf FILE} (the warm-up port first) and, when the file names another port
 * (warm-start's swap), listens there and closes the old port.
 *
 * <p>usage: {@code java -cp ringway.jar:vertx-http-proxy-5.0.10.jar bench/VertxHttpProxy.java --conf FILE}
 */
public final class VertxHttpProxy {
  private static final Pattern LISTENER = Pattern.compile("name: bench, host: 127\\.0\\.0\\.1, port: (\\d+)");
  private static final Pattern BACKEND = Pattern.compile("endpoints: \\[\\{host: 127\\.0\\.0\\.1, port: (\\d+)}]");

  public static void main(String[] args) throws Exception {
    Path conf = Path.of(args[args.length - 1]);
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1)).withTransport(Transport.IO_URING).build();
    HttpProxy proxy = HttpProxy.reverseProxy(vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(128)));
    proxy.origin(port(conf, BACKEND), "127.0.0.1");
    int[] port = {port(conf, LISTENER)};
    HttpServer[] server = {server(vertx, proxy, port[0])};
    server[0].listen().await();
    System.out.println("vertx-http-proxy on :" + port[0] + " (transport " + Transport.IO_URING.name() + ")");
    vertx.setPeriodic(200, id -> {
      int now;
      try {
        now = port(conf, LISTENER);
      } catch (Exception e) {
        return; // the file is being replaced
      }
      if (now != port[0]) {
        HttpServer old = server[0];
        port[0] = now;
        server[0] = server(vertx, proxy, now);
        server[0].listen().onSuccess(listening -> {
          old.close();
          System.out.println("vertx-http-proxy moved to :" + now);
        });
      }
    });
  }

  private static HttpServer server(Vertx vertx, HttpProxy proxy, int port) {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setReusePort(true))
        .requestHandler(proxy);
  }

  private static int port(Path conf, Pattern pattern) throws java.io.IOException {
    Matcher m = pattern.matcher(Files.readString(conf));
    if (!m.find()) {
      throw new IllegalStateException(conf + ": no " + pattern);
    }
    return Integer.parseInt(m.group(1));
  }
}
