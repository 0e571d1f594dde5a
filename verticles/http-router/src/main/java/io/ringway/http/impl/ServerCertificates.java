package io.ringway.http.impl;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.ringway.spi.tls.PemFiles;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.impl.KeyStoreHelper;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;

/**
 * A listener's certificates as Vert.x key material: the first serves clients that send no SNI name or one no
 * certificate names, the others the names in their SANs (or CN), {@code *.example.com} covering one label.
 * Immutable: a reload builds a new one. Built off the loop, since each key manager is initialised here.
 */
final class ServerCertificates implements KeyCertOptions {

  /**
   * Each factory's TLS session id context: a digest of its leaf certificate. BoringSSL resumes a session (ticket
   * or cache) only under the context it was made in, so a client cannot carry a session made for one SNI
   * certificate to another (RFC 8446 §4.6.1 leaves that check to clients, which not all make).
   */
  private static final Map<KeyManagerFactory, byte[]> SESSION_CONTEXTS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final KeyManagerFactory defaultFactory;
  private final Map<String, KeyManagerFactory> exact = new HashMap<>();
  private final Map<String, KeyManagerFactory> wildcard = new HashMap<>();

  /**
   * @param cachedForOpenSsl wrap each factory so BoringSSL converts the chain and key to its own form once, not
   *     at every handshake (Netty's {@link OpenSslCachingX509KeyManagerFactory})
   */
  ServerCertificates(List<PemFiles.KeyPairChain> certificates, boolean cachedForOpenSsl) throws Exception {
    KeyManagerFactory first = null;
    for (PemFiles.KeyPairChain certificate : certificates) {
      KeyManagerFactory factory = factory(certificate, cachedForOpenSsl);
      if (first == null) {
        first = factory;
      }
      for (String name : certificate.names()) {
        if (name.startsWith("*.")) {
          wildcard.putIfAbsent(name.substring(2), factory);
        } else {
          exact.putIfAbsent(name, factory);
        }
      }
    }
    this.defaultFactory = first;
  }

  private static KeyManagerFactory factory(PemFiles.KeyPairChain certificate, boolean cachedForOpenSsl)
      throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = KeyStoreHelper.DUMMY_PASSWORD.toCharArray();
    store.setKeyEntry("key", certificate.key(), password, certificate.chain().toArray(X509Certificate[]::new));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    KeyManagerFactory served = cachedForOpenSsl ? new OpenSslCachingX509KeyManagerFactory(factory) : factory;
    SESSION_CONTEXTS.put(served,
        MessageDigest.getInstance("SHA-256").digest(certificate.chain().getFirst().getEncoded()));
    return served;
  }

  /** The session id context for a context made with {@code factory}, or null when it is not one of these. */
  static byte[] sessionIdContext(KeyManagerFactory factory) {
    return factory == null ? null : SESSION_CONTEXTS.get(factory);
  }

  /** The factory for an SNI name, or null for the default's. */
  KeyManagerFactory forName(String serverName) {
    String name = serverName.toLowerCase(Locale.ROOT);
    KeyManagerFactory factory = exact.get(name);
    if (factory == null) {
      int dot = name.indexOf('.');
      factory = dot > 0 ? wildcard.get(name.substring(dot + 1)) : null;
    }
    return factory == defaultFactory ? null : factory;
  }

  /** Whether any certificate but the default names a host: SNI is worth looking at. */
  boolean choosesBySni() {
    return exact.values().stream().anyMatch(f -> f != defaultFactory)
        || wildcard.values().stream().anyMatch(f -> f != defaultFactory);
  }

  @Override
  public KeyCertOptions copy() {
    return this;
  }

  @Override
  public KeyManagerFactory getKeyManagerFactory(Vertx vertx) {
    return defaultFactory;
  }

  @Override
  public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) {
    return this::forName;
  }
}
