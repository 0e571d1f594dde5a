package io.ringway.tun.impl;

import io.ringway.spi.config.TunBridgeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads this node's static key from a file or an environment variable; no message ever shows the key. */
public final class PrivateKeys {

  private PrivateKeys() {
  }

  /** Reads the key {@code tun} points to; blocking (file I/O), so call it off the event loop. */
  public static StaticKeyPair load(TunBridgeConfig tun) {
    String base64;
    String source;
    if (tun.privateKeyFile() != null) {
      source = "tun.privateKeyFile " + tun.privateKeyFile();
      try {
        base64 = Files.readString(Path.of(tun.privateKeyFile()), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read " + source + ": " + e.getClass().getSimpleName());
      }
    } else if (tun.privateKeyEnv() != null) {
      source = "tun.privateKeyEnv " + tun.privateKeyEnv();
      base64 = System.getenv(tun.privateKeyEnv());
      if (base64 == null) {
        throw new IllegalArgumentException(source + ": the variable is not set");
      }
    } else {
      throw new IllegalArgumentException("tun: no private key (set tun.privateKeyFile or tun.privateKeyEnv)");
    }
    try {
      return StaticKeyPair.fromPrivateKey(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }
}
