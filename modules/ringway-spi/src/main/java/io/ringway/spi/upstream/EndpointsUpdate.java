package io.ringway.spi.upstream;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The whole endpoint set of one cluster, published on {@link io.ringway.spi.Addresses#endpoints(String)}.
 * A whole set rather than a delta, so a receiver that missed a message is right again after the next one.
 *
 * @param cluster the cluster's name
 * @param endpoints every endpoint the cluster now has; may be empty
 */
public record EndpointsUpdate(String cluster, List<Endpoint> endpoints) {

  public EndpointsUpdate {
    Objects.requireNonNull(cluster, "cluster");
    endpoints = List.copyOf(endpoints);
  }

  /** {@code {"cluster":..,"endpoints":[{host,port,weight},..]}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    endpoints.forEach(endpoint -> array.add(endpoint.toJson()));
    return new JsonObject().put("cluster", cluster).put("endpoints", array);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad element. */
  public static EndpointsUpdate fromJson(JsonObject json) {
    return new EndpointsUpdate(JsonFields.string(json, "cluster"), JsonFields.list(json, "endpoints", Endpoint::fromJson));
  }
}
