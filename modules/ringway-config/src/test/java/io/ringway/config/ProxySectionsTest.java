package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.AccessLogConfig;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.EventBusAction;
import io.ringway.spi.config.FieldMatch;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HeaderRewrite;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RedirectAction;
import io.ringway.spi.config.RetryBudget;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.SniRouting;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.config.TracingConfig;
import io.ringway.spi.config.WeightedCluster;
import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.spi.upstream.HealthCheckPayload;
import io.ringway.spi.upstream.OutlierDetectionConfig;
import io.ringway.spi.upstream.ProxyProtocolVersion;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.spi.upstream.UpstreamTlsConfig;
import io.ringway.testkit.TestPki;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code clusters} and {@code tcp} sections. */
class ProxySectionsTest {

  private final ConfigLoader loader = TestCatalogs.loader();

  @Test
  void readsAClusterWithEveryField() {
    RingwayConfig config = valid("""
        {"clusters": [{"name": "api", "loadBalancer": "maglev", "connectTimeout": "250ms", "sendProxyProtocol": "v2",
          "protocol": "h2c",
          "endpoints": [{"host": "10.0.0.1", "port": 8080, "weight": 3}, {"host": "::1", "port": 8080}],
          "healthCheck": {"interval": "2s", "timeout": "500ms", "healthyThreshold": 1, "unhealthyThreshold": 2,
                          "sendHex": "0d0a", "expect": "OK"},
          "outlierDetection": {"consecutiveConnectFailures": 3, "baseEjectionTime": "10s", "maxEjectionTime": "1m",
                               "maxEjectedPercent": 50},
          "limits": {"maxConnections": 100, "maxPendingConnects": 10, "maxPendingRequests": 0}}]}
        """);

    assertThat(config.clusters()).containsExactly(new ClusterConfig("api",
        List.of(new Endpoint("10.0.0.1", 8080, 3), new Endpoint("::1", 8080, 1)), "maglev",
        new HealthCheckConfig(Duration.ofSeconds(2), Duration.ofMillis(500), 1, 2, HealthCheckPayload.hex("0d0a"),
            HealthCheckPayload.text("OK")),
        new OutlierDetectionConfig(3, Duration.ofSeconds(10), Duration.ofMinutes(1), 50),
        new CircuitBreakerConfig(100, 10, 0), Duration.ofMillis(250), ProxyProtocolVersion.V2, UpstreamProtocol.H2C));
  }

  @Test
  void clusterDefaultsAndOutlierDetectionOff() {
    RingwayConfig config = valid("""
        {"clusters": [{"name": "a", "endpoints": [{"host": "127.0.0.1", "port": 1}]},
                      {"name": "b", "endpoints": [], "outlierDetection": false}]}
        """);

    assertThat(config.upstreamCluster("a")).isEqualTo(ClusterConfig.of("a", List.of(Endpoint.of("127.0.0.1", 1))));
    assertThat(config.upstreamCluster("b").outlierDetection()).isNull();
    assertThat(config.upstreamCluster("b").healthCheck()).isNull();
  }

  @Test
  void readsATcpListener() {
    RingwayConfig config = valid("""
        {"clusters": [{"name": "echo", "endpoints": [{"host": "127.0.0.1", "port": 9001}]}],
         "tcp": {"listeners": [{"name": "front", "port": 9000, "cluster": "echo", "idleTimeout": "0",
                                "connectTimeout": "1s", "maxConnections": 5, "connectRetries": 2,
                                "acceptProxyProtocol": true, "trustedSources": ["127.0.0.1/32", "::1"]}]}}
        """);

    assertThat(config.tcp().listeners()).containsExactly(new TcpListenerConfig("front", "0.0.0.0", 9000, "echo",
        Duration.ofSeconds(1), Duration.ZERO, 5, 2, true, List.of("127.0.0.1/32", "::1")));
  }

  @Test
  void everyMistakeInTheProxySectionsIsReportedWithItsPath() {
    List<String> errors = errors("""
        {"clusters": [
           {"name": "api", "loadBalancer": "fastest", "connectTimeout": "5 seconds", "sendProxyProtocol": "v3",
            "protocol": "h3",
            "endpoints": [{"host": "a", "port": 1}, {"host": "a", "port": 1}, {"port": 70000}],
            "healthCheck": {"interval": "1s", "timeout": "2s", "send": "x", "sendHex": "0"},
            "outlierDetection": {"baseEjectionTime": "1m", "maxEjectionTime": "10s"},
            "limits": {"maxPendingRequests": -1, "maxQueue": 5}},
           {"name": "api", "endpoints": []}],
         "tcp": {"listeners": [
           {"name": "l", "port": 9000, "cluster": "web", "acceptProxyProtocol": true},
           {"name": "l", "port": 9000, "cluster": "api", "trustedSources": ["10.0.0.0/33"], "lingering": 1}]}}
        """);

    assertThat(errors).containsExactly(
        "clusters[0].endpoints[1].port: duplicate endpoint a:1 (already at clusters[0].endpoints[0].host)",
        "clusters[0].endpoints[2].host: required",
        "clusters[0].endpoints[2].port: expected an integer from 1 to 65535, got 70000",
        "clusters[0].loadBalancer: unknown load balancer \"fastest\" (known: least_request, maglev, random, round_robin)",
        "clusters[0].connectTimeout: expected a duration from 1ms to 1h such as 250ms, 5s, 2m or 1h, got \"5 seconds\"",
        "clusters[0].healthCheck.sendHex: give either send or sendHex, not both",
        "clusters[0].healthCheck.timeout: must not exceed interval (1s), got 2s",
        "clusters[0].outlierDetection.maxEjectionTime: must be at least baseEjectionTime (1m), got 10s",
        "clusters[0].limits.maxPendingRequests: expected an integer from 0 to 1000000, got -1",
        "clusters[0].limits.maxQueue: unknown key (known: maxConnections, maxPendingConnects, maxPendingRequests)",
        "clusters[0].sendProxyProtocol: expected none, v1 or v2, got \"v3\"",
        "clusters[0].protocol: expected http1, h2c or h2, got \"h3\"",
        "clusters[1].name: duplicate cluster \"api\" (already at clusters[0].name)",
        "tcp.listeners[0].cluster: unknown cluster \"web\" (known: api, api)",
        "tcp.listeners[0].trustedSources: required when acceptProxyProtocol is true",
        "tcp.listeners[1].trustedSources[0]: expected an address or CIDR block such as 10.0.0.0/8 or ::1/128, got \"10.0.0.0/33\"",
        "tcp.listeners[1].lingering: unknown key (known: name, host, port, cluster, connectTimeout, idleTimeout, maxConnections, connectRetries, acceptProxyProtocol, trustedSources, maxConnectionsPerSecond, sni)",
        "tcp.listeners[1].name: duplicate listener \"l\" (already at tcp.listeners[0].name)",
        "tcp.listeners[1].port: 0.0.0.0:9000 is already taken by tcp.listeners[0].port");
  }

  @Test
  void readsHttpListenersAndRoutesInOrder() {
    RingwayConfig config = valid("""
        {"clusters": [{"name": "web", "endpoints": [{"host": "127.0.0.1", "port": 8081}]},
                      {"name": "next", "endpoints": [{"host": "127.0.0.1", "port": 8082}]}],
         "http": {"listeners": [{"name": "front", "port": 8080, "h2c": false, "maxBodyBytes": 1024, "idleTimeout": "30s",
                                 "maxConcurrentStreams": 16}],
                  "routes": [
           {"name": "svc", "match": {"path": {"prefix": "/svc"}, "methods": ["post"]}, "target": "eventbus:svc.echo"},
           {"name": "canary", "match": {"hosts": ["*.Example.com"], "headers": [{"name": "x-canary", "present": true}],
                                       "query": [{"name": "v", "regex": "[0-9]+"}]},
            "clusters": [{"cluster": "web", "weight": 90}, {"cluster": "next", "weight": 10}], "prefixRewrite": "/",
            "timeout": "2s", "perTryTimeout": "500ms", "retries": 2, "retryBudget": {"percent": 30},
            "requestHeaders": {"set": {"X-Env": "test"}, "remove": ["X-Debug"]}},
           {"name": "old", "match": {"path": {"exact": "/old"}}, "redirect": {"status": 301, "path": "/new"}},
           {"name": "health", "match": {"path": {"exact": "/ping"}}, "directResponse": {"body": "pong"}},
           {"name": "all", "target": "web"}]}}
        """);

    assertThat(config.http().listeners()).containsExactly(new HttpListenerConfig("front", "0.0.0.0", 8080, false,
        HttpListenerConfig.DEFAULT_MAX_HEADER_BYTES, 1024, HttpListenerConfig.DEFAULT_HEADER_READ_TIMEOUT, Duration.ofSeconds(30),
        16, HttpListenerConfig.AUTO_MAX_CONNECTIONS, null));
    assertThat(config.http().accessLog()).isNull();
    List<RouteConfig> routes = config.http().routes();
    assertThat(routes).extracting(RouteConfig::name).containsExactly("svc", "canary", "old", "health", "all");
    assertThat(routes.get(0).action()).isEqualTo(new EventBusAction("svc.echo"));
    assertThat(routes.get(0).match().methods()).containsExactly("POST");
    assertThat(routes.get(1).match()).isEqualTo(new RouteMatch(List.of("*.example.com"), null, List.of(),
        List.of(new FieldMatch("x-canary", FieldMatch.Kind.PRESENT, null)), List.of(new FieldMatch("v", FieldMatch.Kind.REGEX, "[0-9]+"))));
    assertThat(routes.get(1).action()).isEqualTo(new ForwardAction(
        List.of(new WeightedCluster("web", 90), new WeightedCluster("next", 10)), "/", null));
    assertThat(routes.get(1).policy()).isEqualTo(new RoutePolicy(Duration.ofSeconds(2), Duration.ofMillis(500), 2, false,
        new HeaderRewrite(Map.of("x-env", "test"), List.of("x-debug")), HeaderRewrite.NONE, new RetryBudget(30, RetryBudget.DEFAULT.minConcurrent())));
    assertThat(routes.get(2).action()).isEqualTo(new RedirectAction(301, null, null, "/new"));
    assertThat(routes.get(3).action()).isEqualTo(new DirectResponseAction(200, "pong", DirectResponseAction.DEFAULT_CONTENT_TYPE));
    assertThat(routes.get(4).match()).isEqualTo(RouteMatch.ANY);
    assertThat(routes.get(4).policy()).isEqualTo(RoutePolicy.DEFAULTS);
  }

  @Test
  void httpListenerMaxConnectionsIsAutoByDefaultOrAPositiveInteger() {
    RingwayConfig config = valid("""
        {"http": {"listeners": [{"name": "a", "port": 8080}, {"name": "b", "port": 8081, "maxConnections": "auto"},
                                {"name": "c", "port": 8082, "maxConnections": 2000}]}}
        """);
    assertThat(config.http().listeners()).extracting(HttpListenerConfig::maxConnections)
        .containsExactly(HttpListenerConfig.AUTO_MAX_CONNECTIONS, HttpListenerConfig.AUTO_MAX_CONNECTIONS, 2000);

    assertThat(errors("""
        {"http": {"listeners": [{"name": "a", "port": 8080, "maxConnections": 0},
                                {"name": "b", "port": 8081, "maxConnections": "many"},
                                {"name": "c", "port": 8082, "maxConnections": 20000000}]}}
        """)).containsExactly(
        "http.listeners[0].maxConnections: expected auto or an integer from 1 to 10000000, got 0",
        "http.listeners[1].maxConnections: expected auto or an integer from 1 to 10000000, got \"many\"",
        "http.listeners[2].maxConnections: expected auto or an integer from 1 to 10000000, got 20000000");
  }

  @Test
  void httpListenerIdleParkAfterHasADefaultTakesZeroForNeverAndRefusesWhatIsNoDuration() {
    RingwayConfig config = valid("""
        {"http": {"listeners": [{"name": "a", "port": 8080}, {"name": "b", "port": 8081, "idleParkAfter": "0"},
                                {"name": "c", "port": 8082, "idleParkAfter": "250ms"}]}}
        """);
    assertThat(config.http().listeners()).extracting(HttpListenerConfig::idleParkAfter)
        .containsExactly(HttpListenerConfig.DEFAULT_IDLE_PARK_AFTER, Duration.ZERO, Duration.ofMillis(250));

    List<String> errors = errors("""
        {"http": {"listeners": [{"name": "a", "port": 8080, "idleParkAfter": "-1s"},
                                {"name": "b", "port": 8081, "idleParkAfter": "soon"}]}}
        """);
    assertThat(errors).hasSize(2);
    assertThat(errors.get(0)).startsWith("http.listeners[0].idleParkAfter: ");
    assertThat(errors.get(1)).startsWith("http.listeners[1].idleParkAfter: ").contains("soon");
  }

  @Test
  void httpListenerMergesSlashesUnlessToldNot() {
    RingwayConfig config = valid("""
        {"http": {"listeners": [{"name": "a", "port": 8080}, {"name": "b", "port": 8081, "mergeSlashes": false}]}}
        """);
    assertThat(config.http().listeners()).extracting(HttpListenerConfig::mergeSlashes).containsExactly(true, false);

    assertThat(errors("""
        {"http": {"listeners": [{"name": "a", "port": 8080, "mergeSlashes": "no"}]}}
        """)).singleElement().asString().startsWith("http.listeners[0].mergeSlashes: ");
  }

  @Test
  void httpListenerByteLevelHttp1IsOffByDefaultAndRefusedWithTls() {
    RingwayConfig config = valid("""
        {"http": {"listeners": [{"name": "a", "port": 8080}, {"name": "b", "port": 8081, "byteLevelHttp1": true}]}}
        """);
    assertThat(config.http().listeners()).extracting(HttpListenerConfig::byteLevelHttp1).containsExactly(false, true);

    List<String> errors = errors("""
        {"http": {"listeners": [{"name": "a", "port": 8443, "byteLevelHttp1": true,
                                 "tls": {"certFile": "/nonexistent/c.pem", "keyFile": "/nonexistent/k.pem"}},
                                {"name": "b", "port": 8081, "byteLevelHttp1": "yes"}]}}
        """);
    assertThat(errors).anySatisfy(error -> assertThat(error)
        .isEqualTo("http.listeners[0].byteLevelHttp1: cleartext listeners only (this one has tls)"));
    assertThat(errors).anySatisfy(error -> assertThat(error).startsWith("http.listeners[1].byteLevelHttp1: "));
  }

  @Test
  void everyMistakeInARouteIsReportedWithItsPath() {
    List<String> errors = errors("""
        {"clusters": [{"name": "web", "endpoints": []}],
         "http": {"routes": [
           {"name": "a", "target": "api"},
           {"name": "b", "target": "web", "redirect": {"path": "/x"}},
           {"name": "c", "match": {"path": {"prefix": "/", "exact": "/"}, "hosts": ["a.*.com"]}, "directResponse": {}},
           {"name": "d", "match": {"headers": [{"name": "x", "regex": "("}]}, "redirect": {"status": 300}},
           {"name": "e", "clusters": [{"cluster": "web", "weight": 0}], "requestHeaders": {"set": {"x": 1}},
            "retryBudget": {"percent": 150}},
           {"name": "a", "target": "web"}]}}
        """);

    assertThat(errors).containsExactly(
        "http.routes[0].target: unknown cluster \"api\" (known: web)",
        "http.routes[1].target: a route takes one action, got target and redirect",
        "http.routes[2].match.hosts[0]: a wildcard is only allowed as a leading \"*.\", got \"a.*.com\"",
        "http.routes[2].match.path: expected exactly one of exact, prefix or regex",
        "http.routes[3].match.headers[0].regex: not a valid regular expression: Unclosed group near index 1",
        "http.routes[3].redirect.status: expected 301, 302, 303, 307 or 308, got 300",
        "http.routes[4].clusters: the weights add up to 0: no request could be sent anywhere",
        "http.routes[4].requestHeaders.set.x: expected a string header value, got 1",
        "http.routes[4].retryBudget.percent: expected an integer from 0 to 100, got 150",
        "http.routes[5].name: duplicate route \"a\" (already at http.routes[0].name)");
  }

  @Test
  void headerRewritesCannotSetFramingFieldsOrInjectLines() {
    List<String> errors = errors("""
        {"clusters": [{"name": "web", "endpoints": []}],
         "http": {"routes": [{"name": "a", "target": "web",
           "responseHeaders": {"set": {"Connection": "close", "Transfer-Encoding": "chunked", "x-ok": "1"}},
           "requestHeaders": {"set": {"x-a": "1\\r\\nx-b: 2", "bad name": "v", "Content-Length": "5"}}}]}}
        """);

    assertThat(errors).containsExactlyInAnyOrder(
        "http.routes[0].responseHeaders.set.Connection: cannot be set: the proxy writes this field itself (framing or connection-specific, RFC 9110 §7.6.1)",
        "http.routes[0].responseHeaders.set.Transfer-Encoding: cannot be set: the proxy writes this field itself (framing or connection-specific, RFC 9110 §7.6.1)",
        "http.routes[0].requestHeaders.set.x-a: a header value cannot hold CR, LF or NUL",
        "http.routes[0].requestHeaders.set.bad name: not a valid header name (RFC 9110 §5.1: a token)",
        "http.routes[0].requestHeaders.set.Content-Length: cannot be set: the proxy writes this field itself (framing or connection-specific, RFC 9110 §7.6.1)");
  }

  @Test
  void readsTlsListenersAndTheAccessLog(@TempDir Path dir) throws Exception {
    Path[] pem = selfSigned(dir, "a");
    RingwayConfig config = valid("""
        {"http": {"listeners": [{"name": "secure", "port": 8443, "tls": {"certFile": "%s", "keyFile": "%s"}}],
                  "accessLog": {"path": "/var/log/ringway/access.log", "format": "{method} {uri} {status}",
                                "queueSize": 16}}}
        """.formatted(pem[0], pem[1]));

    assertThat(config.http().listeners().get(0).tls()).isEqualTo(new TlsConfig(pem[0].toString(), pem[1].toString()));
    assertThat(config.http().accessLog())
        .isEqualTo(new AccessLogConfig("/var/log/ringway/access.log", "{method} {uri} {status}", 16));
    assertThat(valid("""
        {"http": {"accessLog": {}}}
        """).http().accessLog())
        .isEqualTo(new AccessLogConfig(AccessLogConfig.STDOUT, AccessLogConfig.DEFAULT_FORMAT, AccessLogConfig.DEFAULT_QUEUE_SIZE));
  }

  @Test
  void tlsFilesMustExistParseAndFit(@TempDir Path dir) throws Exception {
    Path[] a = selfSigned(dir, "a");
    Path[] b = selfSigned(dir, "b");
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    List<String> errors = errors("""
        {"http": {"listeners": [
           {"name": "l0", "port": 1, "tls": {"certFile": "/x.pem", "keyFile": "%s"}},
           {"name": "l1", "port": 2, "tls": {"certFile": "%s", "keyFile": "%s"}},
           {"name": "l2", "port": 3, "tls": {"certFile": "%s", "keyFile": "%s"}},
           {"name": "l3", "port": 4, "tls": {"certFile": "%s", "keyFile": "%s"}},
           {"name": "l4", "port": 5, "tls": {"certFile": "%s", "cipher": "x"}}]}}
        """.formatted(a[1], notPem, a[1], a[0], notPem, a[0], b[1], a[0]));

    assertThat(errors).hasSize(6);
    assertThat(errors.get(0)).isEqualTo("http.listeners[0].tls.certFile: cannot read /x.pem: no such file or directory");
    assertThat(errors.get(1)).startsWith("http.listeners[1].tls.certFile: " + notPem + " is not a PEM certificate");
    assertThat(errors.get(2)).startsWith("http.listeners[2].tls.keyFile: " + notPem + " is not a PEM private key");
    assertThat(errors.get(3)).isEqualTo("http.listeners[3].tls.keyFile: " + b[1]
        + " is not the private key of the first certificate in " + a[0]);
    assertThat(errors.subList(4, 6)).containsExactlyInAnyOrder(
        "http.listeners[4].tls.cipher: unknown key (known: certFile, keyFile, certificates, clientAuth, clientCaFile,"
            + " protocols, ciphers, engine, reloadInterval)",
        "http.listeners[4].tls.keyFile: required");
    assertThat(errors("""
        {"http": {"accessLog": {"format": "{method} {verb}"}}}
        """)).containsExactly("http.accessLog.format: unknown field {verb} (known: "
        + String.join(", ", AccessLogConfig.FIELDS) + ")");
  }

  /** A fresh EC key and a self-signed certificate for it, made by the openssl CLI: {cert, key}. */
  @Test
  void readsUpstreamTlsAndRefusesItsMistakes(@TempDir Path dir) throws Exception {
    TestPki pki = TestPki.create(dir);
    TestPki.Issued client = pki.client("router", "CN=router");
    String ca = pki.caFile().toString();
    ConfigResult ok = loader.parse(new JsonObject("""
        {"clusters": [{"name": "api", "protocol": "h2", "endpoints": [{"host": "api.internal", "port": 443}],
           "tls": {"caFile": "%s", "sni": "api.internal", "certFile": "%s", "keyFile": "%s"}},
          {"name": "web", "endpoints": [{"host": "10.0.0.1", "port": 443}], "tls": {}}]}
        """.formatted(ca, client.certFile(), client.keyFile())));
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.config().clusters().get(0).tls()).isEqualTo(new UpstreamTlsConfig(ca, "api.internal", true,
        client.certFile().toString(), client.keyFile().toString(), false));
    assertThat(ok.config().clusters().get(1).tls()).isEqualTo(UpstreamTlsConfig.defaults());

    List<String> errors = errors("""
        {"clusters": [{"name": "a", "protocol": "h2", "endpoints": [{"host": "h", "port": 1}]},
          {"name": "b", "protocol": "h2c", "endpoints": [{"host": "h", "port": 1}], "tls": {}},
          {"name": "c", "endpoints": [{"host": "h", "port": 1}],
           "tls": {"caFile": "%s", "sni": "not a name", "certFile": "%s", "pinned": true}}]}
        """.formatted(dir.resolve("missing.pem"), client.certFile()));
    assertThat(errors).containsExactly(
        "clusters[0].protocol: h2 is HTTP/2 over TLS: add tls (h2c is the cleartext one)",
        "clusters[1].protocol: h2c is cleartext; with tls use h2",
        "clusters[2].tls.pinned: unknown key (known: caFile, sni, verifyHostname, certFile, keyFile, insecureSkipVerify)",
        "clusters[2].tls.caFile: cannot read " + dir.resolve("missing.pem") + ": no such file or directory",
        "clusters[2].tls.sni: expected a DNS name such as api.internal, got \"not a name\"",
        "clusters[2].tls.keyFile: certFile and keyFile come together (a client certificate and its key)");
  }

  private static Path[] selfSigned(Path dir, String name) throws Exception {
    Path cert = dir.resolve(name + "-cert.pem");
    Path key = dir.resolve(name + "-key.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
    String output = new String(openssl.getInputStream().readAllBytes());
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(output).isZero();
    return new Path[] {cert, key};
  }

  private RingwayConfig valid(String json) {
    ConfigResult result = loader.parse(new JsonObject(json));
    assertThat(result.errors()).isEmpty();
    return result.config();
  }

  @Test
  void readsSniRoutingAndTheConnectionRateAndRefusesTheirMistakes() {
    TcpListenerConfig listener = valid("""
        {"clusters": [{"name": "a", "endpoints": [{"host": "h", "port": 1}]},
                      {"name": "d", "endpoints": [{"host": "h", "port": 2}]}],
         "tcp": {"listeners": [{"name": "tls", "port": 8443, "cluster": "d", "maxConnectionsPerSecond": 500,
           "sni": {"routes": [{"serverNames": ["A.example.com", "*.b.example.com"], "cluster": "a"}],
                   "unmatched": "close", "peekBytes": 4096, "peekTimeout": "2s"}}]}}
        """).tcp().listeners().getFirst();
    assertThat(listener.maxConnectionsPerSecond()).isEqualTo(500);
    assertThat(listener.sni()).isEqualTo(new SniRouting(List.of(new SniRouting.Route(
        List.of("a.example.com", "*.b.example.com"), "a")), SniRouting.Unmatched.CLOSE, 4096, Duration.ofSeconds(2)));
    assertThat(listener.sni().clusterFor("x.B.example.com")).isEqualTo("a");
    assertThat(listener.sni().clusterFor("b.example.com")).as("a wildcard covers one label, not none").isNull();

    assertThat(errors("""
        {"clusters": [{"name": "a", "endpoints": [{"host": "h", "port": 1}]}],
         "tcp": {"listeners": [{"name": "tls", "port": 8443, "cluster": "a", "maxConnectionsPerSecond": -1,
           "sni": {"routes": [{"serverNames": ["a.example", "*.*.example", "A.EXAMPLE"], "cluster": "nope"},
                              {"cluster": "a"}],
                   "unmatched": "drop", "peekBytes": 10, "tls": true}}]}}
        """)).containsExactly(
        "tcp.listeners[0].maxConnectionsPerSecond: expected an integer from 0 to 10000000, got -1",
        "tcp.listeners[0].sni.routes[0].serverNames[1]: expected a DNS name such as a.example.com or *.example.com"
            + " (one label), got \"*.*.example\"",
        "tcp.listeners[0].sni.routes[0].serverNames[2]: \"a.example\" is already routed by"
            + " tcp.listeners[0].sni.routes[0].serverNames[0]",
        "tcp.listeners[0].sni.routes[0].cluster: unknown cluster \"nope\" (known: a)",
        "tcp.listeners[0].sni.routes[1].serverNames: required: the names this route takes",
        "tcp.listeners[0].sni.unmatched: expected default or close, got \"drop\"",
        "tcp.listeners[0].sni.peekBytes: expected an integer from 512 to 1048576, got 10",
        "tcp.listeners[0].sni.tls: unknown key (known: routes, unmatched, peekBytes, peekTimeout)");
  }

  @Test
  void readsTracingAndRefusesItsMistakes() {
    TracingConfig tracing = valid("""
        {"http": {"tracing": {"sampleRatio": 0.25, "endpoint": "http://collector:4318/v1/traces", "serviceName": "edge",
          "maxQueue": 100, "headers": {"api-key": "k"}}}}
        """).http().tracing();
    assertThat(tracing).isEqualTo(new TracingConfig(0.25, "http://collector:4318/v1/traces", "edge", 100,
        Map.of("api-key", "k")));
    assertThat(valid("{\"http\": {\"tracing\": {}}}").http().tracing())
        .isEqualTo(new TracingConfig(1.0, null, "ringway", 2048, Map.of()));
    assertThat(valid("{}").http().tracing()).as("off unless written").isNull();

    assertThat(errors("""
        {"http": {"tracing": {"sampleRatio": 2, "endpoint": "collector:4318", "maxQueue": 1, "exporter": "zipkin"}}}
        """)).containsExactly(
        "http.tracing.sampleRatio: expected a number from 0 to 1 such as 0.1, got 2",
        "http.tracing.endpoint: expected an http(s) URL such as http://collector:4318/v1/traces, got \"collector:4318\"",
        "http.tracing.maxQueue: expected an integer from 16 to 1000000, got 1",
        "http.tracing.exporter: unknown key (known: sampleRatio, endpoint, serviceName, maxQueue, headers)");
  }

  private List<String> errors(String json) {
    return loader.parse(new JsonObject(json)).errors().stream().map(ConfigError::toString).toList();
  }
}
