package io.ringway.config.impl;

import io.ringway.config.PluginCatalog;
import io.ringway.spi.config.AccessLogConfig;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.config.TracingConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code http}: the L7 router's listeners and its ordered routes (first match wins); routes are read
 * by {@link RouteSection}.
 * <pre>
 * http:
 *   listeners:
 *     - {name: web, host: 0.0.0.0, port: 8080, h2c: true, maxHeaderBytes: 8192, maxBodyBytes: 10485760,
 *        headerReadTimeout: 10s, idleTimeout: 60s, idleParkAfter: 10s, maxConcurrentStreams: 100,
 *        maxConnections: auto}                # node-wide; auto: what the open-file limit leaves, halved
 *     - {name: fast, port: 8081, byteLevelHttp1: true}   # GET/HEAD, Content-Length POST/PUT forwarded from the bytes
 *     - {name: raw, port: 8082, mergeSlashes: false}   # "//" in paths kept (dot-segments, %XX still normalized)
 *     - {name: secure, port: 8443, tls: {certFile: /etc/ringway/cert.pem, keyFile: /etc/ringway/key.pem}}
 *   clientCertHeader: x-forwarded-client-cert   # set from a verified client certificate, stripped from clients
 *   accessLog: {path: stdout, format: "{method} {uri} {status} {duration}ms", queueSize: 8192}
 *   routes:
 *     - name: api
 *       match: {hosts: ["*.example.com"], path: {prefix: /api}, methods: [GET], headers: [{name: x-canary, present: true}]}
 *       target: api                       # a cluster, or eventbus:&lt;address&gt;
 * </pre>
 *
 * <p>A listener's {@code tls} section is read by {@link TlsSection}.
 */
final class HttpSection {

  private static final int MAX_CONNECTIONS_LIMIT = 10_000_000;

  private HttpSection() {
  }

  static HttpRouterConfig read(ConfigReader root, List<ClusterConfig> clusters, PluginCatalog catalog) {
    ConfigReader http = root.object("http");
    List<HttpListenerConfig> listeners = listeners(http);
    List<String> clusterNames = clusters.stream().map(ClusterConfig::name).toList();
    var routes = new ArrayList<io.ringway.spi.config.RouteConfig>();
    Map<String, String> routeNames = new HashMap<>();
    for (ConfigReader route : http.objects("routes")) {
      var parsed = RouteSection.read(route, clusterNames, routeNames, catalog);
      if (parsed != null) {
        routes.add(parsed);
      }
    }
    AccessLogConfig accessLog = accessLog(http);
    TracingConfig tracing = http.given("tracing") ? tracing(http.object("tracing")) : null;
    String clientCertHeader = http.string("clientCertHeader", HttpRouterConfig.DEFAULT_CLIENT_CERT_HEADER)
        .toLowerCase(java.util.Locale.ROOT);
    http.rejectUnknownKeys();
    if (!clientCertHeader.matches("[!#$%&'*+.^_`|~0-9a-z-]+")) {
      http.fail("clientCertHeader", "expected a header name (an RFC 9110 token), got \"" + clientCertHeader + "\"");
    }
    return new HttpRouterConfig(listeners, routes, accessLog, clientCertHeader, tracing);
  }

  /**
   * {@code http.tracing}: {@code sampleRatio} (0 to 1, default 1), {@code endpoint} (an http or https URL of an
   * OTLP/HTTP traces receiver; absent: propagate only), {@code serviceName}, {@code maxQueue}, {@code headers}.
   */
  private static TracingConfig tracing(ConfigReader tracing) {
    ConfigReader.Item<Object> ratio = tracing.raw("sampleRatio");
    double sampleRatio = TracingConfig.DEFAULT_SAMPLE_RATIO;
    if (ratio.value() != null) {
      if (ratio.value() instanceof Number number && number.doubleValue() >= 0 && number.doubleValue() <= 1) {
        sampleRatio = number.doubleValue();
      } else {
        tracing.failAt(ratio.path(), "expected a number from 0 to 1 such as 0.1, got " + ratio.value());
      }
    }
    String endpoint = tracing.optionalString("endpoint");
    if (endpoint != null) {
      try {
        java.net.URI uri = new java.net.URI(endpoint);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new java.net.URISyntaxException(endpoint, "not an http(s) URL with a host");
        }
      } catch (java.net.URISyntaxException e) {
        tracing.fail("endpoint", "expected an http(s) URL such as http://collector:4318/v1/traces, got \"" + endpoint + "\"");
      }
    }
    String serviceName = tracing.string("serviceName", TracingConfig.DEFAULT_SERVICE_NAME);
    int maxQueue = tracing.integer("maxQueue", 16, 1_000_000, TracingConfig.DEFAULT_MAX_QUEUE);
    Map<String, String> headers = new java.util.TreeMap<>();
    JsonObject given = tracing.foreignObject("headers", (json, path) -> List.of());
    if (given != null) {
      given.forEach(entry -> headers.put(entry.getKey(), String.valueOf(entry.getValue())));
    }
    tracing.rejectUnknownKeys();
    return new TracingConfig(sampleRatio, endpoint, serviceName, maxQueue, headers);
  }

  private static AccessLogConfig accessLog(ConfigReader http) {
    if (!http.has("accessLog")) {
      return null;
    }
    ConfigReader log = http.object("accessLog");
    String path = log.string("path", AccessLogConfig.STDOUT);
    String format = log.string("format", AccessLogConfig.DEFAULT_FORMAT);
    int queueSize = log.integer("queueSize", 1, 1 << 20, AccessLogConfig.DEFAULT_QUEUE_SIZE);
    log.rejectUnknownKeys();
    String unknown = AccessLogConfig.unknownField(format);
    if (unknown != null) {
      log.fail("format", "unknown field {" + unknown + "} (known: " + String.join(", ", AccessLogConfig.FIELDS) + ")");
      return null;
    }
    return new AccessLogConfig(path, format, queueSize);
  }

  private static List<HttpListenerConfig> listeners(ConfigReader http) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> addresses = new HashMap<>();
    List<HttpListenerConfig> listeners = new ArrayList<>();
    for (ConfigReader listener : http.objects("listeners")) {
      String name = listener.string("name", null);
      String host = listener.string("host", HttpListenerConfig.DEFAULT_HOST);
      int port = listener.integer("port", 1, 65535, HttpListenerConfig.DEFAULT_PORT);
      boolean h2c = listener.bool("h2c", true);
      int maxHeaderBytes = listener.integer("maxHeaderBytes", 256, 1 << 20, HttpListenerConfig.DEFAULT_MAX_HEADER_BYTES);
      long maxBodyBytes = listener.integer("maxBodyBytes", 0, Integer.MAX_VALUE, (int) HttpListenerConfig.DEFAULT_MAX_BODY_BYTES);
      Duration headerReadTimeout = listener.duration("headerReadTimeout", Duration.ofMillis(1), Duration.ofMinutes(10),
          HttpListenerConfig.DEFAULT_HEADER_READ_TIMEOUT);
      Duration idleTimeout = listener.duration("idleTimeout", Duration.ZERO, Duration.ofDays(1),
          HttpListenerConfig.DEFAULT_IDLE_TIMEOUT);
      int maxConcurrentStreams = listener.integer("maxConcurrentStreams", 1, Integer.MAX_VALUE,
          HttpListenerConfig.DEFAULT_MAX_CONCURRENT_STREAMS);
      Duration idleParkAfter = listener.duration("idleParkAfter", Duration.ZERO, Duration.ofDays(1),
          HttpListenerConfig.DEFAULT_IDLE_PARK_AFTER);
      int maxConnections = maxConnections(listener);
      TlsConfig tls = TlsSection.read(listener);
      boolean byteLevelHttp1 = listener.bool("byteLevelHttp1", false);
      boolean mergeSlashes = listener.bool("mergeSlashes", true);
      listener.rejectUnknownKeys();
      if (byteLevelHttp1 && listener.has("tls")) {
        listener.fail("byteLevelHttp1", "cleartext listeners only (this one has tls)");
        continue;
      }
      if (name == null) {
        listener.fail("name", "required");
        continue;
      }
      if (names.putIfAbsent(name, listener.pathOf("name")) != null) {
        listener.fail("name", "duplicate listener \"" + name + "\" (already at " + names.get(name) + ")");
      }
      if (addresses.putIfAbsent(host + ":" + port, listener.pathOf("port")) != null) {
        listener.fail("port", host + ":" + port + " is already taken by " + addresses.get(host + ":" + port));
      }
      listeners.add(new HttpListenerConfig(name, host, port, h2c, maxHeaderBytes, maxBodyBytes, headerReadTimeout,
          idleTimeout, maxConcurrentStreams, maxConnections, tls, idleParkAfter, byteLevelHttp1, mergeSlashes));
    }
    return listeners;
  }

  /** {@code maxConnections}: {@code auto} (the default) or an integer from 1; a string is an override's. */
  private static int maxConnections(ConfigReader listener) {
    ConfigReader.Item<Object> given = listener.raw("maxConnections");
    Object value = given.value() instanceof String text ? text.trim() : given.value();
    if (value == null || "auto".equals(value)) {
      return HttpListenerConfig.AUTO_MAX_CONNECTIONS;
    }
    long number = 0; // out of range: refused below
    if (value instanceof Integer || value instanceof Long) {
      number = ((Number) value).longValue();
    } else if (value instanceof String text && text.matches("[0-9]{1,9}")) {
      number = Long.parseLong(text);
    }
    if (number >= 1 && number <= MAX_CONNECTIONS_LIMIT) {
      return (int) number;
    }
    listener.failAt(given.path(), "expected auto or an integer from 1 to " + MAX_CONNECTIONS_LIMIT + ", got "
        + ConfigReader.describe(given.value()));
    return HttpListenerConfig.AUTO_MAX_CONNECTIONS;
  }
}
