package io.ringway.spi.message;

import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The reply to a {@link RegisterEndpoint}: the entry as the registry holds it; {@code POST /endpoints}
 * answers it as is.
 *
 * @param cluster the upstream cluster's name
 * @param endpoint the endpoint added
 * @param owner the id of the cluster member that owns the entry; it goes when that member leaves
 */
public record EndpointRegistered(String cluster, Endpoint endpoint, String owner) {

  public EndpointRegistered {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(owner, "owner");
  }

  /** {@code {"cluster":..,"endpoint":{"host":..,"port":..,"weight":..},"owner":..}}. */
  public JsonObject toJson() {
    return new JsonObject().put("cluster", cluster).put("endpoint", endpoint.toJson()).put("owner", owner);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static EndpointRegistered fromJson(JsonObject json) {
    return new EndpointRegistered(JsonFields.string(json, "cluster"), JsonFields.nested(json, "endpoint", Endpoint::fromJson),
        JsonFields.string(json, "owner"));
  }
}
