package io.ringway.tun.impl;

import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.tun.TunDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * What a bridge needs before it can run on its loop, made by everything that makes syscalls or asks
 * DNS or reads the JVM's and CPU's flags: the key, the device (opened, MTU and addresses set, up), the
 * peers' endpoints, the host name, the cipher choice.
 * Call {@link #open} in {@code executeBlocking}, never on an event loop.
 */
public record Opened(StaticKeyPair key, TunDevice device, Map<String, InetSocketAddress> endpoints, String host,
    CipherChoice ciphers) {

  /**
   * Opens and configures {@code tun}'s device (the first queue when multi-queue), with a virtio-net
   * header and the offloads the kernel grants when {@code offloads}; closes it again on failure.
   */
  public static Opened open(TunBridgeConfig tun, boolean offloads) {
    StaticKeyPair key = PrivateKeys.load(tun);
    CipherChoice ciphers = CipherChoice.of(tun.cipher());
    Map<String, InetSocketAddress> endpoints = Bridge.resolveEndpoints(tun.peers());
    TunDevice device = TunDevice.open(tun.devicePath(), tun.deviceName(), tun.multiQueue(), offloads);
    try {
      // Before the link is up: the stack then builds super-packets for this device from the start.
      device.enableOffloads();
      device.mtu(tun.mtu());
      tun.addresses().forEach(device::address);
      device.up();
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
    return new Opened(key, device, endpoints, hostName(), ciphers);
  }

  /** The host's name for the announcement (may ask DNS: blocking code only). */
  private static String hostName() {
    String name = System.getenv("HOSTNAME");
    if (name != null && !name.isBlank()) {
      return name;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "node";
    }
  }
}
