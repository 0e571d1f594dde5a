package io.ringway.admin.impl;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's page, script and style, read from the jar once at start and served from memory: no
 * file system, no CDN, nothing fetched from anywhere else (the content security policy says so to the
 * browser as well, and forbids framing, so no other site can overlay the drain button).
 */
public final class DashboardAssets implements Handler<RoutingContext> {

  private static final String ROOT = "io/ringway/admin/dashboard/";
  private static final Map<String, String> TYPES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "dashboard.js", "text/javascript; charset=utf-8",
      "dashboard.css", "text/css; charset=utf-8");
  static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final Map<String, Buffer> files;

  private DashboardAssets(Map<String, Buffer> files) {
    this.files = files;
  }

  /** Reads the assets from the class path: blocking, so not on an event loop. */
  public static DashboardAssets load() {
    Map<String, Buffer> files = new LinkedHashMap<>();
    for (String name : TYPES.keySet()) {
      try (InputStream in = DashboardAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
        if (in == null) {
          throw new IllegalStateException("the admin jar lacks " + ROOT + name);
        }
        files.put(name, Buffer.buffer(in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + ROOT + name, e);
      }
    }
    return new DashboardAssets(files);
  }

  /** {@code GET /} is the page, {@code GET /dashboard/<name>} its other files. */
  @Override
  public void handle(RoutingContext routing) {
    String path = routing.normalizedPath();
    String name = path.equals("/") ? "index.html" : path.substring(path.lastIndexOf('/') + 1);
    Buffer file = files.get(name);
    if (file == null || name.equals("index.html") && !path.equals("/")) {
      routing.next();
      return;
    }
    routing.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, TYPES.get(name))
        // small and versioned with the jar: revalidating costs nothing, and a new node's page is never stale
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("Content-Security-Policy", POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(file);
  }
}
