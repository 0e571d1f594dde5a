package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code tun} section. */
class TunSectionTest {

  private static final String KEY_B = "4ydlE7L2lWWc83YwxwrbwLDxfIdfjBZDRjHiWUpP0iM=";
  private static final String KEY_C = "5cvFyrdVF3ogNI/zdZjJnjE0YPjhGQKOwKU7g0VcniE=";

  private final ConfigLoader loader = TestCatalogs.loader();

  @Test
  void withoutTheSectionTheTunnelIsDisabled() {
    assertThat(valid("{}").tun()).isEqualTo(TunBridgeConfig.DISABLED);
  }

  @Test
  void readsEveryField() {
    TunBridgeConfig tun = valid("""
        {"tun": {"deviceName": "rw%%d", "devicePath": "/dev/net/tun", "multiQueue": true, "mtu": 1380,
          "addresses": ["10.77.0.1/24", "fd00:77::1/64"], "readSlots": 8, "writeSlots": 32, "offloads": "tun",
          "listenHost": "::", "listenPort": 51900, "privateKeyFile": "/etc/ringway/tun.key", "rekeyAfter": "90s",
          "cipher": "aes-256-gcm", "peers": [{"name": "b", "publicKey": "%s", "endpoint": "192.0.2.7:51820",
                     "allowedPrefixes": ["10.77.0.2/32", "fd00:77::2/128"], "persistentKeepalive": "25s"},
                    {"name": "c", "publicKey": "%s", "endpoint": "[2001:db8::7]:51820", "allowedPrefixes": ["10.78.0.0/16"]},
                    {"name": "d", "publicKey": "%s", "allowedPrefixes": ["10.79.0.0/16"]}]}}
        """.formatted(KEY_B, KEY_C, "vb6Sv3tj5111322bLInijeBvJo4+1S4Jha2/lrEkCh0=")).tun();

    assertThat(tun).isEqualTo(new TunBridgeConfig(true, "rw%d", "/dev/net/tun", true, 1380,
        List.of("10.77.0.1/24", "fd00:77::1/64"), 8, 32, "tun", "::", 51900, "/etc/ringway/tun.key", null, 90, List.of(
            new TunPeerConfig("b", KEY_B, "192.0.2.7:51820", List.of("10.77.0.2/32", "fd00:77::2/128"), 25),
            new TunPeerConfig("c", KEY_C, "[2001:db8::7]:51820", List.of("10.78.0.0/16"), 0),
            new TunPeerConfig("d", "vb6Sv3tj5111322bLInijeBvJo4+1S4Jha2/lrEkCh0=", null, List.of("10.79.0.0/16"), 0)),
        "aes-256-gcm"));
  }

  @Test
  void defaultsAndAnOverrideSwitchingItOn() {
    TunBridgeConfig tun = TestCatalogs.loader(Map.of("RINGWAY_TUN__ENABLED", "true", "RINGWAY_TUN__PRIVATE_KEY_ENV", "K"), Map.of())
        .parse(new JsonObject()).config().tun();

    assertThat(tun).isEqualTo(new TunBridgeConfig(true, "ringway0", "/dev/net/tun", false, 1420, List.of(), 16, 64,
        "auto", "0.0.0.0", 51820, null, "K", 120, List.of(), "auto"));
  }

  @Test
  void everyErrorIsReportedWithItsPath() {
    String shortKey = java.util.Base64.getEncoder().encodeToString(new byte[31]);
    List<String> errors = errors("""
        {"tun": {"deviceName": "a-name-longer-than-15", "mtu": 100, "addresses": ["10.77.0.1", "10.77.0.1/24", "10.78.0.1/24"],
          "offloads": "fast", "listenHost": "example.com", "listenPort": 70000, "privateKeyFile": "/k", "privateKeyEnv": "K", "rekeyAfter": "2d",
          "cipher": "aes-128-gcm", "peers": [{"name": "b", "publicKey": "%s", "endpoint": "192.0.2.7", "allowedPrefixes": ["10.77.0.2/32"]},
                    {"name": "b", "publicKey": "%s", "allowedPrefixes": ["10.77.0.2/32", "10.300.0.0/16"]},
                    {"publicKey": "not base64!", "allowedPrefixes": []},
                    {"name": "e", "publicKey": "%s", "allowedPrefixes": ["10.9.0.0/16"], "persistentKeepalive": "forever",
                     "psk": "x"}],
          "blocksize": 1}}
        """.formatted(KEY_B, shortKey, KEY_B));

    assertThat(errors).containsExactly(
        "tun.deviceName: expected an interface name of at most 15 bytes without '/' or spaces, got \"a-name-longer-than-15\"",
        "tun.mtu: expected an integer from 576 to 65000, got 100",
        "tun.addresses[0]: expected an address with its prefix such as 10.77.0.1/24 or fd00::1/64, got \"10.77.0.1\"",
        "tun.addresses[2]: only one IPv4 address per device (already 10.77.0.1/24); add IPv6 addresses freely",
        "tun.offloads: unknown offloads \"fast\" (known: auto, tun, off)",
        "tun.listenHost: expected an IP address such as 0.0.0.0 or ::, got \"example.com\"",
        "tun.listenPort: expected an integer from 0 to 65535, got 70000",
        "tun.privateKeyEnv: give either privateKeyFile or privateKeyEnv, not both",
        "tun.rekeyAfter: expected a duration from 1s to 1h such as 250ms, 5s, 2m or 1h, got \"2d\"",
        "tun.cipher: unknown cipher \"aes-128-gcm\" (known: auto, aes-256-gcm, chacha20-poly1305)",
        "tun.peers[0].endpoint: expected host:port or [ipv6]:port with a port from 1 to 65535, got \"192.0.2.7\"",
        "tun.peers[1].name: duplicate peer \"b\" (already at tun.peers[0].name)",
        "tun.peers[1].publicKey: expected 32 bytes of Base64, got 31",
        "tun.peers[1].allowedPrefixes[0]: 10.77.0.2/32 is already routed to tun.peers[0].allowedPrefixes[0]",
        "tun.peers[1].allowedPrefixes[1]: expected a prefix such as 10.77.0.2/32 or fd00:77::/64, got \"10.300.0.0/16\"",
        "tun.peers[2].name: required",
        "tun.peers[2].publicKey: expected 32 bytes of Base64, got text that is not Base64",
        "tun.peers[2].allowedPrefixes: expected a non-empty list, got []",
        "tun.peers[3].publicKey: the same key as tun.peers[0].publicKey",
        "tun.peers[3].persistentKeepalive: expected a duration from 0 to 1h such as 250ms, 5s, 2m or 1h, got \"forever\"",
        "tun.peers[3].psk: unknown key (known: name, publicKey, endpoint, allowedPrefixes, persistentKeepalive)",
        "tun.blocksize: unknown key (known: enabled, deviceName, devicePath, multiQueue, mtu, addresses, readSlots,"
            + " writeSlots, offloads, listenHost, listenPort, privateKeyFile, privateKeyEnv, privateKey, rekeyAfter, cipher, peers)");
  }

  @Test
  void offloadsOffWrittenUnquotedInYamlIsOff() {
    // SnakeYAML (YAML 1.1) hands the loader a boolean false for an unquoted `off`.
    assertThat(valid("{\"tun\": {\"privateKeyEnv\": \"K\", \"offloads\": false}}").tun().offloads()).isEqualTo("off");
    assertThat(valid("{\"tun\": {\"privateKeyEnv\": \"K\", \"offloads\": \"tun\"}}").tun().tunOffloads()).isTrue();
    assertThat(valid("{\"tun\": {\"privateKeyEnv\": \"K\", \"offloads\": \"tun\"}}").tun().udpOffloads()).isFalse();
    assertThat(errors("{\"tun\": {\"privateKeyEnv\": \"K\", \"offloads\": true}}"))
        .containsExactly("tun.offloads: expected a non-empty string, got true");
  }

  @Test
  void aPrivateKeyIsNeverInlineNorEchoed() {
    String secret = "vb6Sv3tj5111322bLInijeBvJo4+1S4Jha2/lrEkCh0=";
    List<String> errors = errors("{\"tun\": {\"privateKey\": \"" + secret + "\"}}");

    assertThat(errors).containsExactly(
        "tun.privateKey: a private key is never written in config: use privateKeyFile or privateKeyEnv");
    assertThat(String.join("\n", errors)).doesNotContain(secret);
    assertThat(errors("{\"tun\": {\"peers\": []}}"))
        .containsExactly("tun.privateKeyFile: required when the tunnel is enabled (or privateKeyEnv)");
    assertThat(errors("{\"tun\": {\"enabled\": false}}")).isEmpty();
  }

  private io.ringway.spi.config.RingwayConfig valid(String json) {
    ConfigResult result = loader.parse(new JsonObject(json));
    assertThat(result.errors()).isEmpty();
    return result.config();
  }

  private List<String> errors(String json) {
    return loader.parse(new JsonObject(json)).errors().stream().map(ConfigError::toString).toList();
  }
}
