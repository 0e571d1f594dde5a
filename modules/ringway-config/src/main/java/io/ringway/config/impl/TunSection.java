package io.ringway.config.impl;

import io.netty.util.NetUtil;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.TunPeerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tun}: the L3 tunnel (verticle {@code tun-bridge}).
 * <pre>
 * tun:
 *   enabled: true                # default: true when the section is written
 *   deviceName: ringway0          # at most 15 bytes; "%d" lets the kernel number it
 *   devicePath: /dev/net/tun
 *   multiQueue: false
 *   mtu: 1420
 *   addresses: [10.77.0.1/24, fd00:77::1/64]   # at most one IPv4 address
 *   readSlots: 16                 # TUN reads in flight
 *   writeSlots: 64                # TUN writes in flight before drops
 *   offloads: auto                # auto | tun | off: TUN super-packets and UDP GSO/GRO (redeploy to change)
 *   listenHost: 0.0.0.0
 *   listenPort: 51820
 *   privateKeyFile: /etc/ringway/tun.key       # or privateKeyEnv: RINGWAY_TUN_KEY; never inline
 *   rekeyAfter: 2m
 *   cipher: auto                  # or aes-256-gcm, chacha20-poly1305 (only that one offered/accepted)
 *   peers:
 *     - name: b
 *       publicKey: 4ydlE7L2lWWc83YwxwrbwLDxfIdfjBZDRjHiWUpP0iM=
 *       endpoint: 192.0.2.7:51820  # optional: learned from the peer's authenticated packets
 *       allowedPrefixes: [10.77.0.2/32]
 *       persistentKeepalive: 25s   # 0: none
 * </pre>
 * Keys are checked for shape only (32 bytes of Base64); the private key's file or variable is
 * read by the bridge when it starts, so config never holds the key itself.
 */
final class TunSection {

  static final Duration MAX_REKEY_AFTER = Duration.ofHours(1);
  static final int MIN_MTU = 576;
  static final int MAX_MTU = 65_000;

  private TunSection() {
  }

  static TunBridgeConfig read(ConfigReader root) {
    // Writing the section switches the tunnel on unless it says otherwise; without it, DISABLED.
    boolean present = root.has("tun");
    ConfigReader tun = root.object("tun");
    boolean enabled = tun.bool("enabled", present);
    String deviceName = tun.string("deviceName", TunBridgeConfig.DEFAULT_DEVICE_NAME);
    byte[] nameBytes = deviceName.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > 15 || deviceName.contains("/") || deviceName.chars().anyMatch(Character::isWhitespace)) {
      tun.fail("deviceName", "expected an interface name of at most 15 bytes without '/' or spaces, got \"" + deviceName + "\"");
    }
    String devicePath = tun.string("devicePath", TunBridgeConfig.DEFAULT_DEVICE_PATH);
    boolean multiQueue = tun.bool("multiQueue", false);
    int mtu = tun.integer("mtu", MIN_MTU, MAX_MTU, TunBridgeConfig.DEFAULT_MTU);
    List<String> addresses = addresses(tun);
    int readSlots = tun.integer("readSlots", 1, 4096, TunBridgeConfig.DEFAULT_READ_SLOTS);
    int writeSlots = tun.integer("writeSlots", 1, Short.MAX_VALUE, TunBridgeConfig.DEFAULT_WRITE_SLOTS);
    // YAML 1.1 (SnakeYAML) reads an unquoted `off` as false: that is what the user wrote.
    String offloads = tun.isFalse("offloads") ? TunBridgeConfig.OFFLOADS_OFF
        : tun.string("offloads", TunBridgeConfig.OFFLOADS_AUTO);
    if (!TunBridgeConfig.OFFLOADS.contains(offloads)) {
      tun.fail("offloads", "unknown offloads \"" + offloads + "\" (known: " + String.join(", ", TunBridgeConfig.OFFLOADS) + ")");
    }
    String listenHost = tun.string("listenHost", TunBridgeConfig.DEFAULT_LISTEN_HOST);
    if (!NetUtil.isValidIpV4Address(listenHost) && !NetUtil.isValidIpV6Address(listenHost)) {
      tun.fail("listenHost", "expected an IP address such as 0.0.0.0 or ::, got \"" + listenHost + "\"");
    }
    int listenPort = tun.integer("listenPort", 0, 65535, TunBridgeConfig.DEFAULT_LISTEN_PORT);
    String privateKeyFile = tun.optionalString("privateKeyFile");
    String privateKeyEnv = tun.optionalString("privateKeyEnv");
    if (tun.has("privateKey")) {
      // The value is never echoed: it is a secret that belongs in a file or the environment.
      tun.fail("privateKey", "a private key is never written in config: use privateKeyFile or privateKeyEnv");
    }
    if (privateKeyFile != null && privateKeyEnv != null) {
      tun.fail("privateKeyEnv", "give either privateKeyFile or privateKeyEnv, not both");
    } else if (enabled && privateKeyFile == null && privateKeyEnv == null && !tun.has("privateKey")) {
      tun.fail("privateKeyFile", "required when the tunnel is enabled (or privateKeyEnv)");
    }
    Duration rekeyAfter = tun.duration("rekeyAfter", Duration.ofSeconds(1), MAX_REKEY_AFTER,
        Duration.ofSeconds(TunBridgeConfig.DEFAULT_REKEY_AFTER_SECONDS));
    String cipher = tun.string("cipher", TunBridgeConfig.DEFAULT_CIPHER);
    if (!TunBridgeConfig.CIPHERS.contains(cipher)) {
      tun.fail("cipher", "unknown cipher \"" + cipher + "\" (known: " + String.join(", ", TunBridgeConfig.CIPHERS) + ")");
    }
    List<TunPeerConfig> peers = peers(tun);
    tun.rejectUnknownKeys();
    return new TunBridgeConfig(enabled, deviceName, devicePath, multiQueue, mtu, addresses, readSlots, writeSlots,
        offloads, listenHost, listenPort, privateKeyFile, privateKeyEnv, (int) rekeyAfter.toSeconds(), peers, cipher);
  }

  private static List<String> addresses(ConfigReader tun) {
    List<String> addresses = new ArrayList<>();
    String ipv4 = null;
    for (ConfigReader.Item<String> address : tun.strings("addresses", 0, List.of())) {
      String cidr = address.value();
      if (!cidr.contains("/") || !Cidrs.isValid(cidr)) {
        tun.failAt(address.path(), "expected an address with its prefix such as 10.77.0.1/24 or fd00::1/64, got \"" + cidr + "\"");
      } else if (NetUtil.isValidIpV4Address(cidr.substring(0, cidr.indexOf('/'))) && ipv4 != null) {
        tun.failAt(address.path(), "only one IPv4 address per device (already " + ipv4 + "); add IPv6 addresses freely");
      } else {
        if (NetUtil.isValidIpV4Address(cidr.substring(0, cidr.indexOf('/')))) {
          ipv4 = cidr;
        }
        addresses.add(cidr);
      }
    }
    return addresses;
  }

  private static List<TunPeerConfig> peers(ConfigReader tun) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> keys = new HashMap<>();
    Map<String, String> prefixes = new HashMap<>();
    List<TunPeerConfig> peers = new ArrayList<>();
    for (ConfigReader peer : tun.objects("peers")) {
      String name = peer.string("name", null);
      if (name == null) {
        peer.fail("name", "required");
      } else if (names.putIfAbsent(name, peer.pathOf("name")) != null) {
        peer.fail("name", "duplicate peer \"" + name + "\" (already at " + names.get(name) + ")");
      }
      String publicKey = peer.string("publicKey", null);
      if (publicKey == null) {
        peer.fail("publicKey", "required");
      } else {
        String problem = keyProblem(publicKey);
        if (problem != null) {
          peer.fail("publicKey", problem);
        } else if (keys.putIfAbsent(publicKey.trim(), peer.pathOf("publicKey")) != null) {
          peer.fail("publicKey", "the same key as " + keys.get(publicKey.trim()));
        }
      }
      String endpoint = peer.optionalString("endpoint");
      if (endpoint != null && !isEndpoint(endpoint)) {
        peer.fail("endpoint", "expected host:port or [ipv6]:port with a port from 1 to 65535, got \"" + endpoint + "\"");
      }
      List<String> allowed = new ArrayList<>();
      for (ConfigReader.Item<String> prefix : peer.strings("allowedPrefixes", 1, List.of())) {
        if (!Cidrs.isValid(prefix.value())) {
          peer.failAt(prefix.path(), "expected a prefix such as 10.77.0.2/32 or fd00:77::/64, got \"" + prefix.value() + "\"");
        } else if (prefixes.putIfAbsent(prefix.value(), prefix.path()) != null) {
          peer.failAt(prefix.path(), prefix.value() + " is already routed to " + prefixes.get(prefix.value()));
        } else {
          allowed.add(prefix.value());
        }
      }
      if (!peer.has("allowedPrefixes")) {
        peer.fail("allowedPrefixes", "required: the inner addresses this peer sends from and receives for");
      }
      Duration keepalive = peer.duration("persistentKeepalive", Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
      peer.rejectUnknownKeys();
      peers.add(new TunPeerConfig(name, publicKey, endpoint, allowed, (int) keepalive.toSeconds()));
    }
    return peers;
  }

  /** Why {@code base64} is not a Curve25519 public key, or null; the message shows only lengths. */
  private static String keyProblem(String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      return "expected 32 bytes of Base64, got text that is not Base64";
    }
    return key.length == 32 ? null : "expected 32 bytes of Base64, got " + key.length;
  }

  private static boolean isEndpoint(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0) {
      return false;
    }
    String host = endpoint.substring(0, colon);
    String port = endpoint.substring(colon + 1);
    if (host.startsWith("[")) {
      if (!host.endsWith("]") || !NetUtil.isValidIpV6Address(host.substring(1, host.length() - 1))) {
        return false;
      }
    } else if (host.contains(":")) {
      return false;
    }
    return port.matches("\\d{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
  }
}
