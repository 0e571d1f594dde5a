package io.ringway.config.impl;

import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.config.TlsConfig.CertificateFiles;
import io.ringway.spi.tls.PemFiles;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;

/**
 * {@code http.listeners[].tls}: the certificates of a TLS listener and how it talks TLS.
 * <pre>
 * tls:
 *   certificates:                      # or certFile/keyFile for a single one
 *     - {certFile: /etc/ringway/a.pem, keyFile: /etc/ringway/a.key}   # the default, for clients without SNI
 *     - {certFile: /etc/ringway/b.pem, keyFile: /etc/ringway/b.key}   # chosen by SNI for its SAN names
 *   clientAuth: none                   # none | request | require
 *   clientCaFile: /etc/ringway/clients-ca.pem
 *   protocols: [TLSv1.3, TLSv1.2]
 *   ciphers: [TLS_AES_128_GCM_SHA256, ...]
 *   engine: auto                       # auto | openssl | jdk
 *   reloadInterval: 5s                 # 0 turns the file watch off
 * </pre>
 *
 * <p>Files are read and parsed here, the way the listener will load them (the config verticle validates on a
 * worker thread), so a missing file, a key that does not fit its certificate or two certificates claiming one
 * name refuse the whole new config.
 */
final class TlsSection {

  private TlsSection() {
  }

  static TlsConfig read(ConfigReader listener) {
    if (!listener.has("tls")) {
      return null;
    }
    ConfigReader tls = listener.object("tls");
    List<CertificateFiles> certificates = certificates(tls);
    TlsConfig.ClientAuth clientAuth = choice(tls, "clientAuth", TlsConfig.ClientAuth.values(), TlsConfig.ClientAuth.NONE);
    String clientCaFile = tls.optionalString("clientCaFile");
    List<String> protocols = protocols(tls);
    List<String> ciphers = ciphers(tls);
    TlsConfig.Engine engine = choice(tls, "engine", TlsConfig.Engine.values(), TlsConfig.Engine.AUTO);
    Duration reloadInterval = tls.duration("reloadInterval", Duration.ZERO, Duration.ofDays(1),
        TlsConfig.DEFAULT_RELOAD_INTERVAL);
    tls.rejectUnknownKeys();
    if (clientAuth != TlsConfig.ClientAuth.NONE && clientCaFile == null) {
      tls.fail("clientCaFile", "required when clientAuth is " + clientAuth.name().toLowerCase(Locale.ROOT));
      return null;
    }
    if (clientCaFile != null) {
      try {
        PemFiles.bundle("clientCaFile", clientCaFile);
      } catch (PemFiles.BadFile bad) {
        tls.fail("clientCaFile", bad.getMessage());
      }
    }
    if (certificates.isEmpty() || protocols.isEmpty() || ciphers.isEmpty()) {
      return null;
    }
    return new TlsConfig(certificates, clientAuth, clientCaFile, protocols, ciphers, engine, reloadInterval);
  }

  /** The {@code certificates} list, or the single {@code certFile}/{@code keyFile} pair; each file checked. */
  private static List<CertificateFiles> certificates(ConfigReader tls) {
    String certFile = tls.optionalString("certFile");
    String keyFile = tls.optionalString("keyFile");
    if (tls.has("certificates")) {
      if (certFile != null || keyFile != null) {
        tls.fail("certificates", "give either certificates or certFile/keyFile, not both");
        return List.of();
      }
      List<CertificateFiles> certificates = new ArrayList<>();
      Map<String, String> claimed = new HashMap<>();
      List<ConfigReader> entries = tls.objects("certificates");
      if (entries.isEmpty()) {
        tls.fail("certificates", "expected at least one certificate");
      }
      for (ConfigReader entry : entries) {
        CertificateFiles files = pair(entry, entry.optionalString("certFile"), entry.optionalString("keyFile"));
        entry.rejectUnknownKeys();
        if (files != null && check(entry, files, claimed)) {
          certificates.add(files);
        }
      }
      return certificates.size() == entries.size() ? certificates : List.of();
    }
    CertificateFiles files = pair(tls, certFile, keyFile);
    return files != null && check(tls, files, new HashMap<>()) ? List.of(files) : List.of();
  }

  private static CertificateFiles pair(ConfigReader at, String certFile, String keyFile) {
    if (certFile == null) {
      at.fail("certFile", "required");
    }
    if (keyFile == null) {
      at.fail("keyFile", "required");
    }
    return certFile == null || keyFile == null ? null : new CertificateFiles(certFile, keyFile);
  }

  /**
   * Loads the pair as the listener will; records what is wrong at the key of the file at fault, and a name
   * another certificate of the listener already claims ({@code claimed}: name to the path of its entry).
   */
  private static boolean check(ConfigReader at, CertificateFiles files, Map<String, String> claimed) {
    boolean readable = readable(at, "certFile", files.certFile()) & readable(at, "keyFile", files.keyFile());
    if (!readable) {
      return false;
    }
    PemFiles.KeyPairChain loaded;
    try {
      loaded = PemFiles.keyPair(files.certFile(), files.keyFile());
    } catch (PemFiles.BadFile bad) {
      at.fail(bad.key(), bad.getMessage());
      return false;
    }
    for (String name : loaded.names()) {
      String before = claimed.putIfAbsent(name, at.pathOf("certFile"));
      if (before != null) {
        at.fail("certFile", files.certFile() + " is for " + name + ", which " + before + " already serves");
        return false;
      }
    }
    return true;
  }

  private static boolean readable(ConfigReader at, String key, String file) {
    try {
      PemFiles.bytes(key, file);
      return true;
    } catch (PemFiles.BadFile bad) {
      at.fail(key, bad.getMessage());
      return false;
    }
  }

  private static List<String> protocols(ConfigReader tls) {
    List<String> protocols = new ArrayList<>();
    for (ConfigReader.Item<String> item : tls.strings("protocols", 1, TlsConfig.DEFAULT_PROTOCOLS)) {
      if (TlsConfig.ALLOWED_PROTOCOLS.contains(item.value())) {
        protocols.add(item.value());
      } else {
        tls.failAt(item.path(), "expected TLSv1.3 or TLSv1.2 (older versions are not offered), got \""
            + item.value() + "\"");
        return List.of();
      }
    }
    return protocols;
  }

  /** Cipher suites by IANA name; every engine knows the JDK's names (Netty maps them to OpenSSL's). */
  private static List<String> ciphers(ConfigReader tls) {
    Set<String> known;
    try {
      known = new TreeSet<>(Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
    List<String> ciphers = new ArrayList<>();
    for (ConfigReader.Item<String> item : tls.strings("ciphers", 1, TlsConfig.DEFAULT_CIPHERS)) {
      if (!known.contains(item.value())) {
        tls.failAt(item.path(), "unknown cipher suite \"" + item.value() + "\" (IANA names, such as "
            + TlsConfig.DEFAULT_CIPHERS.getFirst() + ")");
        return List.of();
      }
      ciphers.add(item.value());
    }
    return ciphers;
  }

  private static <E extends Enum<E>> E choice(ConfigReader tls, String key, E[] values, E defaultValue) {
    String text = tls.string(key, defaultValue.name().toLowerCase(Locale.ROOT));
    for (E value : values) {
      if (value.name().equalsIgnoreCase(text)) {
        return value;
      }
    }
    tls.fail(key, "expected one of " + String.join(", ", Arrays.stream(values)
        .map(v -> v.name().toLowerCase(Locale.ROOT)).toList()) + ", got \"" + text + "\"");
    return defaultValue;
  }
}
