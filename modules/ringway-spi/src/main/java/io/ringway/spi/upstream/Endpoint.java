package io.ringway.spi.upstream;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One upstream address a cluster may send traffic to.
 *
 * @param host name or IP literal, never blank
 * @param port TCP port, 1..65535
 * @param weight share of traffic relative to the cluster's other endpoints, 1..128
 */
public record Endpoint(String host, int port, int weight) {

  /** Weight of an endpoint whose config names none. */
  public static final int DEFAULT_WEIGHT = 1;
  /** Highest weight: bounded so weighted tables (Maglev) stay small and sums cannot overflow. */
  public static final int MAX_WEIGHT = 128;

  public Endpoint {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is outside 1..65535");
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException("weight: " + weight + " is outside 1.." + MAX_WEIGHT);
    }
  }

  /** An endpoint of {@link #DEFAULT_WEIGHT}. */
  public static Endpoint of(String host, int port) {
    return new Endpoint(host, port, DEFAULT_WEIGHT);
  }

  /** {@code host:port}, with an IPv6 literal in brackets; the key that identifies an endpoint across updates. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Whether both name the same socket address, whatever their weights. */
  public boolean sameAddress(Endpoint other) {
    return port == other.port && host.equals(other.host);
  }

  /** The clustered wire form: {@code {"host":..,"port":..,"weight":..}}. */
  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("weight", weight);
  }

  /**
   * Reads {@link #toJson()}'s form; a missing weight means {@link #DEFAULT_WEIGHT}. Throws
   * {@link IllegalArgumentException} naming the bad field.
   */
  public static Endpoint fromJson(JsonObject json) {
    String host = JsonFields.string(json, "host");
    int port = JsonFields.intValue(json, "port");
    Long weight = JsonFields.optionalLong(json, "weight");
    if (weight != null && (weight < 1 || weight > MAX_WEIGHT)) {
      throw new IllegalArgumentException("weight: " + weight + " is outside 1.." + MAX_WEIGHT);
    }
    return new Endpoint(host, port, weight == null ? DEFAULT_WEIGHT : weight.intValue());
  }
}
