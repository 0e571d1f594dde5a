package io.ringway.spi.message;

import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A request on {@link io.ringway.spi.Addresses#CLUSTER_ENDPOINTS_REGISTER}, from
 * {@code POST /endpoints/<cluster>}: add this endpoint to the cluster, owned by this node. Replied with
 * {@link EndpointRegistered}.
 *
 * @param cluster the upstream cluster's name
 * @param endpoint the endpoint to add
 */
public record RegisterEndpoint(String cluster, Endpoint endpoint) {

  public RegisterEndpoint {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoint, "endpoint");
  }

  /** {@code {"cluster":..,"endpoint":{"host":..,"port":..,"weight":..}}}. */
  public JsonObject toJson() {
    return new JsonObject().put("cluster", cluster).put("endpoint", endpoint.toJson());
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static RegisterEndpoint fromJson(JsonObject json) {
    return new RegisterEndpoint(JsonFields.string(json, "cluster"), JsonFields.nested(json, "endpoint", Endpoint::fromJson));
  }
}
