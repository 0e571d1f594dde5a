package io.ringway.tun.impl;

import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.Noise;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** A node's Curve25519 static key pair; {@link #toString} never shows the private half. */
public final class StaticKeyPair {

  private final byte[] privateKey;
  private final byte[] publicKey;

  private StaticKeyPair(byte[] privateKey, byte[] publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A fresh random key pair. */
  public static StaticKeyPair generate() {
    DHState dh = curve25519();
    dh.generateKeyPair();
    return from(dh);
  }

  /** The pair for a Base64 private key (32 bytes), as read from a key file or the environment. */
  public static StaticKeyPair fromPrivateKey(String base64) {
    byte[] privateKey = decodeKey(base64, "private key");
    DHState dh = curve25519();
    dh.setPrivateKey(privateKey, 0);
    return from(dh);
  }

  /** Decodes a Base64 32-byte key; the message never echoes the value. */
  public static byte[] decodeKey(String base64, String what) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not valid Base64");
    }
    if (key.length != WireFormat.KEY) {
      throw new IllegalArgumentException(what + " must be 32 bytes, got " + key.length);
    }
    return key;
  }

  public byte[] publicKey() {
    return publicKey.clone();
  }

  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(publicKey);
  }

  byte[] privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "StaticKeyPair[public=" + publicKeyBase64() + "]";
  }

  static DHState curve25519() {
    try {
      return Noise.createDH("25519");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("noise-java lacks Curve25519", e);
    }
  }

  private static StaticKeyPair from(DHState dh) {
    byte[] privateKey = new byte[WireFormat.KEY];
    byte[] publicKey = new byte[WireFormat.KEY];
    dh.getPrivateKey(privateKey, 0);
    dh.getPublicKey(publicKey, 0);
    dh.destroy();
    return new StaticKeyPair(privateKey, publicKey);
  }
}
