package io.ringway.tun.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.spec.AlgorithmParameterSpec;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * The data-packet AEADs a session can run, each with its one-byte id in the handshake's offer and
 * answer ({@link NoiseHandshake}). Both take a 32-byte key, a 96-bit nonce made of 32 zero bits and
 * the packet counter, and make a 16-byte tag, so the data message layout is the same for both.
 */
public enum CipherSuite {

  /** RFC 8439; nonce counter little-endian, as Noise's ChaChaPoly and WireGuard. */
  CHACHA20_POLY1305(1, "chacha20-poly1305", "ChaCha20-Poly1305", "ChaCha20", ByteOrder.LITTLE_ENDIAN),
  /** NIST SP 800-38D with a 256-bit key; nonce counter big-endian, as Noise's AESGCM (spec §12.4). */
  AES_256_GCM(2, "aes-256-gcm", "AES/GCM/NoPadding", "AES", ByteOrder.BIG_ENDIAN);

  /** Length of the nonce both suites take. */
  public static final int NONCE = 12;

  private final byte id;
  private final String configName;
  private final String transformation;
  private final String keyAlgorithm;
  private final ByteOrder counterOrder;

  CipherSuite(int id, String configName, String transformation, String keyAlgorithm, ByteOrder counterOrder) {
    this.id = (byte) id;
    this.configName = configName;
    this.transformation = transformation;
    this.keyAlgorithm = keyAlgorithm;
    this.counterOrder = counterOrder;
  }

  /** The byte that names this suite in a handshake; 0 names none. */
  public byte id() {
    return id;
  }

  /** The name in config ({@code tun.cipher}), stats and logs. */
  public String configName() {
    return configName;
  }

  /** The JDK {@code Cipher} transformation. */
  String transformation() {
    return transformation;
  }

  /** The JDK key algorithm name. */
  String keyAlgorithm() {
    return keyAlgorithm;
  }

  /**
   * The cipher parameters for {@code counter}: writes the nonce into {@code nonce} (12 bytes, the
   * caller's scratch) and wraps it; the JDK's spec classes copy the bytes, so the scratch is reusable.
   */
  AlgorithmParameterSpec parameters(byte[] nonce, long counter) {
    ByteBuffer view = ByteBuffer.wrap(nonce).order(counterOrder);
    view.putInt(0, 0).putLong(4, counter);
    return this == AES_256_GCM ? new GCMParameterSpec(WireFormat.TAG * 8, nonce) : new IvParameterSpec(nonce);
  }

  /** The suite with this handshake id, or null for 0 and for ids this version does not know. */
  public static CipherSuite byId(byte id) {
    for (CipherSuite suite : values()) {
      if (suite.id == id) {
        return suite;
      }
    }
    return null;
  }

  /** The suite with this config name, or null. */
  public static CipherSuite byName(String name) {
    for (CipherSuite suite : values()) {
      if (suite.configName.equals(name)) {
        return suite;
      }
    }
    return null;
  }

  /** Config names of {@code suites}, in order, for logs and stats. */
  public static List<String> names(List<CipherSuite> suites) {
    List<String> names = new ArrayList<>();
    suites.forEach(suite -> names.add(suite.configName));
    return names;
  }
}
