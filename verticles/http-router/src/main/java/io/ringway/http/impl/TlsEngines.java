package io.ringway.http.impl;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslServerContext;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.ringway.spi.config.TlsConfig;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.DefaultSslContextFactory;
import io.vertx.core.spi.tls.SslContextFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * Which TLS implementation a listener runs: BoringSSL through netty-tcnative ({@code openssl}) or the JDK's
 * SSLEngine ({@code jdk}), {@code auto} taking BoringSSL where its native library loads.
 *
 * <p>Session resumption: the JDK engine issues TLS 1.3 stateless tickets itself, under keys it rotates (hourly,
 * {@code jdk.tls.server.statelessKeyTimeout}). Netty turns tickets off in BoringSSL unless keys are set, so every
 * BoringSSL server context made here gets this process's keys, a new one each {@link #TICKET_KEY_LIFETIME}; the
 * one before it still decrypts, so a ticket stays usable for up to two lifetimes. Each context's session id
 * context names its certificate ({@link ServerCertificates#sessionIdContext}), so a session resumes only on the
 * certificate it was made with.
 */
final class TlsEngines {

  /** How long a ticket key encrypts new tickets. */
  static final Duration TICKET_KEY_LIFETIME = Duration.ofHours(1);

  private static final SecureRandom RANDOM = new SecureRandom();
  /** BoringSSL server contexts that were given ticket keys; weak, as Vert.x drops them on a reload. */
  private static final Set<OpenSslServerContext> CONTEXTS = Collections.newSetFromMap(new WeakHashMap<>());
  private static OpenSslSessionTicketKey current = newKey();
  private static OpenSslSessionTicketKey previous = current;
  private static long rotatedAt = System.nanoTime();

  private TlsEngines() {
  }

  /** The engine a listener with this config gets: "openssl" or "jdk". */
  static String resolve(TlsConfig.Engine engine) {
    return switch (engine) {
      case JDK -> "jdk";
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          throw new IllegalStateException("tls.engine openssl: BoringSSL (netty-tcnative) did not load: "
              + OpenSsl.unavailabilityCause());
        }
        yield "openssl";
      }
      case AUTO -> OpenSsl.isAvailable() ? "openssl" : "jdk";
    };
  }

  /** Vert.x's options for an engine {@link #resolve} named. */
  static SSLEngineOptions options(String engine) {
    return engine.equals("openssl") ? new TicketedOpenSsl() : new JdkSSLEngineOptions();
  }

  /** Rotates the ticket key when the current one is older than its lifetime; any listener's timer calls it. */
  static synchronized void rotateIfDue() {
    if (System.nanoTime() - rotatedAt < TICKET_KEY_LIFETIME.toNanos()) {
      return;
    }
    previous = current;
    current = newKey();
    rotatedAt = System.nanoTime();
    CONTEXTS.forEach(TlsEngines::setKeys);
  }

  private static synchronized void register(SslContext context, byte[] sessionIdContext) {
    if (context instanceof OpenSslServerContext server) {
      if (sessionIdContext != null) {
        ((OpenSslServerSessionContext) server.sessionContext()).setSessionIdContext(sessionIdContext);
      }
      CONTEXTS.add(server);
      setKeys(server);
    }
  }

  private static void setKeys(OpenSslServerContext context) {
    // The first key encrypts new tickets; both decrypt.
    ((OpenSslServerSessionContext) context.sessionContext()).setTicketKeys(current, previous);
  }

  private static OpenSslSessionTicketKey newKey() {
    byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
    byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
    byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
    RANDOM.nextBytes(name);
    RANDOM.nextBytes(hmac);
    RANDOM.nextBytes(aes);
    return new OpenSslSessionTicketKey(name, hmac, aes);
  }

  /** Vert.x's BoringSSL options whose server contexts get the rotating ticket keys. */
  private static final class TicketedOpenSsl extends OpenSSLEngineOptions {

    @Override
    public OpenSSLEngineOptions copy() {
      return new TicketedOpenSsl();
    }

    @Override
    public SslContextFactory sslContextFactory() {
      return new DefaultSslContextFactory(SslProvider.OPENSSL, isSessionCacheEnabled()) {
        private KeyManagerFactory keys;

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory factory) {
          keys = factory;
          return super.keyMananagerFactory(factory);
        }

        @Override
        public SslContext create() throws SSLException {
          SslContext context = super.create();
          register(context, ServerCertificates.sessionIdContext(keys));
          return context;
        }
      };
    }
  }
}
