package io.ringway.spi.config;

import java.util.List;

/**
 * The L3 tunnel: one TUN device bridged to encrypted UDP peers.
 *
 * <p>The private key is never inline: it comes from {@code privateKeyFile} or from the environment
 * variable named by {@code privateKeyEnv} (Base64, 32 bytes), so it never lands in a config dump.
 *
 * @param enabled whether the tunnel is configured on: {@link #DISABLED} without a {@code tun}
 *     section; true by default once the section is written (the bridge needs root or CAP_NET_ADMIN)
 * @param deviceName TUN interface name, at most 15 bytes; a {@code %d} pattern lets the kernel
 *     number it (default {@code ringway0})
 * @param devicePath clone device (default {@code /dev/net/tun})
 * @param multiQueue open the device with IFF_MULTI_QUEUE so each event loop reads its own queue
 *     (default false)
 * @param mtu interface MTU in bytes (default 1420: a 1500-byte underlay minus IPv6 + UDP + tunnel
 *     header + tag)
 * @param addresses addresses of the interface in CIDR form, e.g. {@code 10.77.0.1/24} (IPv4 or IPv6)
 * @param readSlots reads kept in flight on the TUN fd per event loop (default 16)
 * @param writeSlots writes to the TUN fd in flight per event loop before packets are dropped and
 *     counted (default 64)
 * @param offloads {@code auto} (default): TUN offloads (IFF_VNET_HDR, TSO/USO super-packets cut and
 *     coalesced in user space) and UDP GSO/GRO on the underlay where the kernel and the transport
 *     have them; {@code tun}: TUN offloads only, one datagram per UDP send/receive; {@code off}:
 *     neither. The NIO fallback always runs with them off
 * @param listenHost UDP bind address of the underlay socket (default {@code 0.0.0.0})
 * @param listenPort UDP port of the underlay socket (default 51820; 0 picks an ephemeral port; a
 *     negative value means the default)
 * @param privateKeyFile path of a file holding this node's Curve25519 private key in Base64, or null
 * @param privateKeyEnv name of an environment variable holding the private key in Base64, or null
 * @param rekeyAfterSeconds seconds after which the initiator of a session starts a new handshake
 *     (default 120; YAML {@code rekeyAfter: 2m}); sessions are dropped at three times this age
 * @param peers the peers; no prefix may be listed twice (overlapping prefixes: longest wins)
 * @param cipher data cipher offered and accepted in handshakes: {@code auto} (default: both, the one
 *     this CPU runs faster first), {@code aes-256-gcm} or {@code chacha20-poly1305} (that one only);
 *     a reload applies from the next handshake on
 */
public record TunBridgeConfig(
    boolean enabled,
    String deviceName,
    String devicePath,
    boolean multiQueue,
    int mtu,
    List<String> addresses,
    int readSlots,
    int writeSlots,
    String offloads,
    String listenHost,
    int listenPort,
    String privateKeyFile,
    String privateKeyEnv,
    int rekeyAfterSeconds,
    List<TunPeerConfig> peers,
    String cipher) {

  public static final String DEFAULT_DEVICE_NAME = "ringway0";
  public static final String DEFAULT_DEVICE_PATH = "/dev/net/tun";
  public static final int DEFAULT_MTU = 1420;
  public static final int DEFAULT_READ_SLOTS = 16;
  public static final int DEFAULT_WRITE_SLOTS = 64;
  public static final String OFFLOADS_AUTO = "auto";
  public static final String OFFLOADS_TUN = "tun";
  public static final String OFFLOADS_OFF = "off";
  public static final List<String> OFFLOADS = List.of(OFFLOADS_AUTO, OFFLOADS_TUN, OFFLOADS_OFF);
  public static final String DEFAULT_LISTEN_HOST = "0.0.0.0";
  public static final int DEFAULT_LISTEN_PORT = 51820;
  public static final int DEFAULT_REKEY_AFTER_SECONDS = 120;
  public static final String DEFAULT_CIPHER = "auto";
  /** What {@code cipher} may say. */
  public static final List<String> CIPHERS = List.of("auto", "aes-256-gcm", "chacha20-poly1305");

  /** The bridge switched off, every other field at its default. */
  public static final TunBridgeConfig DISABLED = new TunBridgeConfig(false, DEFAULT_DEVICE_NAME,
      DEFAULT_DEVICE_PATH, false, DEFAULT_MTU, List.of(), DEFAULT_READ_SLOTS, DEFAULT_WRITE_SLOTS,
      OFFLOADS_AUTO, DEFAULT_LISTEN_HOST, DEFAULT_LISTEN_PORT, null, null, DEFAULT_REKEY_AFTER_SECONDS, List.of(),
      DEFAULT_CIPHER);

  public TunBridgeConfig {
    deviceName = deviceName == null ? DEFAULT_DEVICE_NAME : deviceName;
    devicePath = devicePath == null ? DEFAULT_DEVICE_PATH : devicePath;
    mtu = mtu <= 0 ? DEFAULT_MTU : mtu;
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
    readSlots = readSlots <= 0 ? DEFAULT_READ_SLOTS : readSlots;
    writeSlots = writeSlots <= 0 ? DEFAULT_WRITE_SLOTS : writeSlots;
    offloads = offloads == null ? OFFLOADS_AUTO : offloads;
    listenHost = listenHost == null ? DEFAULT_LISTEN_HOST : listenHost;
    listenPort = listenPort < 0 ? DEFAULT_LISTEN_PORT : listenPort;
    rekeyAfterSeconds = rekeyAfterSeconds <= 0 ? DEFAULT_REKEY_AFTER_SECONDS : rekeyAfterSeconds;
    peers = peers == null ? List.of() : List.copyOf(peers);
    cipher = cipher == null ? DEFAULT_CIPHER : cipher;
  }

  /** The same config with {@code cipher} in place of this one's. */
  public TunBridgeConfig withCipher(String cipher) {
    return new TunBridgeConfig(enabled, deviceName, devicePath, multiQueue, mtu, addresses, readSlots, writeSlots,
        offloads, listenHost, listenPort, privateKeyFile, privateKeyEnv, rekeyAfterSeconds, peers, cipher);
  }

  /** Whether the TUN device is opened with offloads (IFF_VNET_HDR, TUNSETOFFLOAD). */
  public boolean tunOffloads() {
    return !OFFLOADS_OFF.equals(offloads);
  }

  /** Whether the underlay uses UDP GSO/GRO where it can. */
  public boolean udpOffloads() {
    return OFFLOADS_AUTO.equals(offloads);
  }
}
