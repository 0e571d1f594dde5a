package io.ringway.spi.config;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One tunnel peer: who it is (its static public key), where to reach it, and which inner
 * addresses it may send from and receive for.
 *
 * @param name label used in stats and errors (unique among peers)
 * @param publicKey the peer's Curve25519 static public key, 32 bytes in standard Base64
 * @param endpoint {@code host:port} of the peer's UDP socket; {@code null} for a roaming peer whose
 *     endpoint is learned from its first authenticated packet
 * @param allowedPrefixes CIDR prefixes (IPv4 or IPv6, e.g. {@code 10.77.0.2/32}, {@code fd00::/64}):
 *     outgoing packets whose destination falls in one go to this peer; incoming packets whose inner
 *     source falls outside all of them are dropped
 * @param persistentKeepaliveSeconds seconds between keepalives sent when idle, to hold NAT mappings
 *     open; 0 (default) sends none (YAML {@code persistentKeepalive: 25s})
 */
public record TunPeerConfig(
    String name,
    String publicKey,
    String endpoint,
    List<String> allowedPrefixes,
    int persistentKeepaliveSeconds) {

  public TunPeerConfig {
    allowedPrefixes = allowedPrefixes == null ? List.of() : List.copyOf(allowedPrefixes);
  }

  /** A peer with a fixed endpoint and no keepalive. */
  public static TunPeerConfig of(String name, String publicKey, String endpoint, List<String> allowedPrefixes) {
    return new TunPeerConfig(name, publicKey, endpoint, allowedPrefixes, 0);
  }

  /**
   * The form a tun bridge announces itself in on the cluster:
   * {@code {"name","publicKey","endpoint"?,"allowedPrefixes":[..],"persistentKeepaliveSeconds"}}.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("publicKey", publicKey);
    if (endpoint != null) {
      json.put("endpoint", endpoint);
    }
    return json.put("allowedPrefixes", new JsonArray(new ArrayList<>(allowedPrefixes)))
        .put("persistentKeepaliveSeconds", persistentKeepaliveSeconds);
  }

  /**
   * Reads {@link #toJson()}'s form: {@code name} and {@code publicKey} are required, the rest defaults to
   * a roaming peer with no prefixes and no keepalive. Checks the form only; the key and prefixes are
   * judged where the peer is used. Throws {@link IllegalArgumentException} naming the bad field.
   */
  public static TunPeerConfig fromJson(JsonObject json) {
    String name = JsonFields.string(json, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank");
    }
    String publicKey = JsonFields.string(json, "publicKey");
    if (publicKey.isBlank()) {
      throw new IllegalArgumentException("publicKey: must not be blank");
    }
    Long keepalive = JsonFields.optionalLong(json, "persistentKeepaliveSeconds");
    if (keepalive != null && (keepalive < 0 || keepalive > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("persistentKeepaliveSeconds: " + keepalive + " is out of range");
    }
    return new TunPeerConfig(name, publicKey, JsonFields.optionalString(json, "endpoint"),
        JsonFields.strings(json, "allowedPrefixes"), keepalive == null ? 0 : keepalive.intValue());
  }
}
