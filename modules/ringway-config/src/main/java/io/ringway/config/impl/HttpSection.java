package io.ringway.config.impl;

import io.ringway.config.PluginCatalog;
import io.ringway.spi.config.AccessLogConfig;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.KeyStoreHelper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
 *        headerReadTimeout: 10s, idleTimeout: 60s, maxConcurrentStreams: 100}
 *     - {name: secure, port: 8443, tls: {certFile: /etc/ringway/cert.pem, keyFile: /etc/ringway/key.pem}}
 *   accessLog: {path: stdout, format: "{method} {uri} {status} {duration}ms", queueSize: 8192}
 *   routes:
 *     - name: api
 *       match: {hosts: ["*.example.com"], path: {prefix: /api}, methods: [GET], headers: [{name: x-canary, present: true}]}
 *       target: api                       # a cluster, or eventbus:&lt;address&gt;
 * </pre>
 *
 * <p>TLS files are read and parsed here, the way the listener will load them, so a missing file or a key
 * that does not fit its certificate is an error at load and at every reload (the config verticle validates
 * on a worker thread, never on its event loop), and a bad file refuses the whole new config.
 */
final class HttpSection {

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
    http.rejectUnknownKeys();
    return new HttpRouterConfig(listeners, routes, accessLog);
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

  private static TlsConfig tls(ConfigReader listener) {
    if (!listener.has("tls")) {
      return null;
    }
    ConfigReader tls = listener.object("tls");
    String certFile = tls.optionalString("certFile");
    String keyFile = tls.optionalString("keyFile");
    tls.rejectUnknownKeys();
    if (certFile == null || keyFile == null) {
      if (certFile == null) {
        tls.fail("certFile", "required");
      }
      if (keyFile == null) {
        tls.fail("keyFile", "required");
      }
      return null;
    }
    checkPem(tls, certFile, keyFile);
    return new TlsConfig(certFile, keyFile);
  }

  /** Reads both files and loads them as Vert.x will; records what is wrong at the key of the file at fault. */
  private static void checkPem(ConfigReader tls, String certFile, String keyFile) {
    byte[] cert = read(tls, "certFile", certFile);
    byte[] key = read(tls, "keyFile", keyFile);
    if (cert == null || key == null) {
      return;
    }
    Collection<? extends Certificate> chain;
    try {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(cert));
    } catch (GeneralSecurityException e) {
      tls.fail("certFile", certFile + " is not a PEM certificate: " + e.getMessage());
      return;
    }
    if (chain.isEmpty() || !new String(cert, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      tls.fail("certFile", certFile + " holds no PEM certificate");
      return;
    }
    PrivateKey privateKey;
    try {
      KeyStore store = new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key))
          .loadKeyStore(null);
      String alias = store.aliases().nextElement();
      privateKey = (PrivateKey) store.getKey(alias, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
    } catch (Exception e) {
      tls.fail("keyFile", keyFile + " is not a PEM private key: " + e.getMessage());
      return;
    }
    if (!matches(privateKey, chain.iterator().next().getPublicKey())) {
      tls.fail("keyFile", keyFile + " is not the private key of the first certificate in " + certFile);
    }
  }

  private static byte[] read(ConfigReader tls, String key, String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      tls.fail(key, YamlDocuments.unreadable(file, e).message());
      return null;
    }
  }

  /** Whether a signature made with the key verifies with the certificate's public key. */
  private static boolean matches(PrivateKey key, PublicKey certificateKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm();
    };
    byte[] probe = "ringway".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificateKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
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
      TlsConfig tls = tls(listener);
      listener.rejectUnknownKeys();
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
          idleTimeout, maxConcurrentStreams, tls));
    }
    return listeners;
  }
}
