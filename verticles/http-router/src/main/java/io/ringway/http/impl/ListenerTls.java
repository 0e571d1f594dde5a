package io.ringway.http.impl;

import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.tls.PemFiles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A TLS listener's material and what happens to it while it runs: certificates chosen by SNI, client
 * certificate verification, protocols and ciphers, the engine, and the reload of its files when they change
 * on disk (checked off the loop every {@code reloadInterval}; a file that does not load is refused, logged
 * and counted, and the certificates in force stay). Counters and the connection cache belong to the loop.
 */
final class ListenerTls {

  private static final System.Logger LOG = System.getLogger(ListenerTls.class.getName());
  /** Per port, the last TLS update handed to Vert.x: the next one waits for it ({@link #updateSslOptions}). */
  private static final ConcurrentHashMap<Integer, Future<Boolean>> UPDATES = new ConcurrentHashMap<>();

  final TlsConfig config;
  /** "openssl" (BoringSSL) or "jdk". */
  final String engine;
  private final String listener;
  private final long handshakeTimeoutMillis;
  private Material material;
  /** The files' stamp last tried, loaded or not: a broken file is reported once, not at every check. */
  private List<String> tried;
  private boolean checking;
  /** Set when the listener stops: a check still under way then hands nothing to the stopped server. */
  private boolean stopped;
  private long timer = -1;
  /** Each client-certificate connection's header value, made once per connection. */
  private final WeakHashMap<HttpConnection, String> identities = new WeakHashMap<>();

  long reloads;
  long reloadFailures;
  long handshakesFailed;
  long clientCertFailures;

  /** What one load of the files produced, and the files' modification stamp it was loaded at. */
  private record Material(ServerSSLOptions ssl, List<String> stamp, boolean sni) {
  }

  private ListenerTls(String listener, TlsConfig config, String engine, long handshakeTimeoutMillis,
                      Material material) {
    this.listener = listener;
    this.config = config;
    this.engine = engine;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    this.material = material;
    this.tried = material.stamp();
  }

  /** Picks the engine and loads every file on a worker thread. */
  static Future<ListenerTls> load(Vertx vertx, String listener, TlsConfig config, long handshakeTimeoutMillis) {
    return vertx.executeBlocking(() -> {
      String engine = TlsEngines.resolve(config.engine());
      return new ListenerTls(listener, config, engine, handshakeTimeoutMillis,
          material(config, engine, handshakeTimeoutMillis, stamp(config)));
    });
  }

  /** The files' sizes and modification times; a missing file stamps as such. Blocking. */
  private static List<String> stamp(TlsConfig config) {
    List<String> stamp = new ArrayList<>();
    for (String file : config.files()) {
      try {
        Path path = Path.of(file);
        stamp.add(Files.getLastModifiedTime(path).toMillis() + "/" + Files.size(path));
      } catch (IOException e) {
        stamp.add("missing");
      }
    }
    return stamp;
  }

  /** Reads, parses and checks every file, and builds Vert.x's options from them. Blocking. */
  private static Material material(TlsConfig config, String engine, long handshakeTimeoutMillis, List<String> stamp)
      throws Exception {
    List<PemFiles.KeyPairChain> loaded = new ArrayList<>();
    for (TlsConfig.CertificateFiles files : config.certificates()) {
      try {
        loaded.add(PemFiles.keyPair(files.certFile(), files.keyFile()));
      } catch (PemFiles.BadFile bad) {
        throw new IllegalArgumentException(bad.getMessage(), bad);
      }
    }
    ServerCertificates certificates = new ServerCertificates(loaded, engine.equals("openssl"));
    ServerSSLOptions ssl = new ServerSSLOptions()
        .setKeyCertOptions(certificates)
        .setSni(certificates.choosesBySni())
        .setUseAlpn(true)
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(config.protocols()))
        .setSslHandshakeTimeout(handshakeTimeoutMillis)
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
        .setClientAuth(switch (config.clientAuth()) {
          case NONE -> ClientAuth.NONE;
          case REQUEST -> ClientAuth.REQUEST;
          case REQUIRE -> ClientAuth.REQUIRED;
        });
    config.ciphers().forEach(ssl::addEnabledCipherSuite);
    if (config.clientCaFile() != null) {
      try {
        PemFiles.bundle("clientCaFile", config.clientCaFile());
      } catch (PemFiles.BadFile bad) {
        throw new IllegalArgumentException(bad.getMessage(), bad);
      }
      ssl.setTrustOptions(new PemTrustOptions()
          .addCertValue(Buffer.buffer(Files.readAllBytes(Path.of(config.clientCaFile())))));
    }
    return new Material(ssl, stamp, certificates.choosesBySni());
  }

  /** Makes {@code options} a TLS server's with this material and engine; ALPN offers h2 then http/1.1. */
  void configure(HttpServerOptions options) {
    ServerSSLOptions ssl = material.ssl();
    options.setSsl(true).setUseAlpn(true).setSslEngineOptions(TlsEngines.options(engine))
        .setKeyCertOptions(ssl.getKeyCertOptions()).setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth()).setSni(ssl.isSni())
        .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
        .setSslHandshakeTimeout(ssl.getSslHandshakeTimeout())
        .setSslHandshakeTimeoutUnit(ssl.getSslHandshakeTimeoutUnit());
    ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
  }

  /** The options in force, for {@link HttpServer#updateSSLOptions}. */
  ServerSSLOptions sslOptions() {
    return material.ssl();
  }

  /**
   * Hands {@code options} to {@code server} once every earlier update of its port, from any loop, is done.
   * Vert.x 5.0.10's {@code NetServerImpl.updateSSLOptions} overflows the stack when a second update of one
   * shared server starts while the first is finishing: its retry re-runs itself on the completed future
   * until the first one's clean-up, on another loop, clears it. A listener's instances update their shared
   * server at once when they start and when the files change, so a TLS listener on two loops failed to start
   * now and then. Runs on the calling context.
   */
  static Future<Boolean> updateSslOptions(Vertx vertx, HttpServer server, ServerSSLOptions options) {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    int port = server.actualPort();
    Promise<Boolean> updated = context.promise();
    Future<Boolean> mine = updated.future();
    Future<Boolean> previous = UPDATES.put(port, mine);
    Future<Boolean> turn = previous == null ? Future.succeededFuture() : previous;
    turn.onComplete(ignored -> context.runOnContext(v -> server.updateSSLOptions(options, true).onComplete(updated)));
    mine.onComplete(done -> UPDATES.remove(port, mine));
    return mine;
  }

  /** Starts checking the files every {@code reloadInterval}; call on the listener's loop once it listens. */
  void watch(Vertx vertx, HttpServer server) {
    if (!config.reloadInterval().isZero()) {
      timer = vertx.setPeriodic(config.reloadInterval().toMillis(), tick -> reloadIfChanged(vertx, server));
    }
  }

  void stopWatching(Vertx vertx) {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /**
   * Loads the files again if their stamp changed since the last try, and hands the new material to the server;
   * a config reload that kept this listener's config calls it too.
   */
  void reloadIfChanged(Vertx vertx, HttpServer server) {
    TlsEngines.rotateIfDue();
    if (checking || stopped) {
      return;
    }
    checking = true;
    List<String> before = tried;
    vertx.executeBlocking(() -> {
      List<String> now = stamp(config);
      if (now.equals(before)) {
        return null;
      }
      try {
        return material(config, engine, handshakeTimeoutMillis, now);
      } catch (Exception e) {
        throw new StampedFailure(now, e);
      }
    }).compose(next -> {
      if (next == null || stopped) {
        return Future.succeededFuture();
      }
      tried = next.stamp();
      return updateSslOptions(vertx, server, next.ssl()).map(updated -> {
        material = next;
        reloads++;
        LOG.log(Level.INFO, "http-router: listener " + listener + " reloaded its TLS files");
        return null;
      });
    }).onComplete(done -> {
      checking = false;
      if (done.failed()) {
        if (done.cause() instanceof StampedFailure stamped) {
          tried = stamped.stamp;
        }
        reloadFailures++;
        Throwable cause = done.cause() instanceof StampedFailure ? done.cause().getCause() : done.cause();
        LOG.log(Level.ERROR, "http-router: listener " + listener + " keeps its certificates: the changed TLS files "
            + "do not load: " + cause.getMessage());
      }
    });
  }

  /** Counts a handshake that failed; one that failed over the client's certificate also as such. */
  void onHandshakeFailure(Throwable cause) {
    handshakesFailed++;
    if (config.clientAuth() != TlsConfig.ClientAuth.NONE && aboutCertificate(cause)) {
      clientCertFailures++;
    }
  }

  private static boolean aboutCertificate(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      // JDK: "Empty client certificate chain", a CertificateException below; BoringSSL:
      // PEER_DID_NOT_RETURN_A_CERTIFICATE, CERTIFICATE_VERIFY_FAILED.
      if (t instanceof CertificateException
          || (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("certificate"))) {
        return true;
      }
    }
    return false;
  }

  /** The header value naming the client's verified certificate on this connection, or null when it sent none. */
  String clientIdentity(HttpConnection connection) {
    if (config.clientAuth() == TlsConfig.ClientAuth.NONE) {
      return null;
    }
    String identity = identities.get(connection);
    if (identity == null && !identities.containsKey(connection)) {
      identity = identityOf(connection.sslSession());
      identities.put(connection, identity);
    }
    return identity;
  }

  private static String identityOf(SSLSession session) {
    try {
      return session != null && session.getPeerCertificates().length > 0
          && session.getPeerCertificates()[0] instanceof X509Certificate leaf ? ClientCertHeader.value(leaf) : null;
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }

  JsonObject statsJson() {
    // Only counters and states every instance shares: the admin API adds the instances' numbers up.
    return new JsonObject().put("engine", engine).put("sni", material.sni())
        .put("clientAuth", config.clientAuth().name().toLowerCase(Locale.ROOT))
        .put("protocols", new JsonArray(config.protocols()))
        .put("reloads", reloads).put("reloadFailures", reloadFailures)
        .put("handshakesFailed", handshakesFailed).put("clientCertFailures", clientCertFailures);
  }

  /** A load that failed, with the stamp of the files it tried. */
  private static final class StampedFailure extends RuntimeException {

    private final transient List<String> stamp;

    StampedFailure(List<String> stamp, Throwable cause) {
      super(cause.getMessage(), cause, false, false);
      this.stamp = stamp;
    }
  }
}
