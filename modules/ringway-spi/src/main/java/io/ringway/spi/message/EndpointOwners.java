package io.ringway.spi.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The reply on {@link io.ringway.spi.Addresses#CLUSTER_ENDPOINTS_OWNERS}: every endpoint entry of the
 * cluster-wide registry with the member that owns it. An endpoint several members wrote (one in everyone's
 * config) appears once per owner.
 *
 * @param entries every entry, each with its cluster, endpoint and owner
 */
public record EndpointOwners(List<EndpointRegistered> entries) {

  public EndpointOwners {
    entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
  }

  /** {@code {"entries":[{"cluster":..,"endpoint":{..},"owner":..},..]}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    entries.forEach(entry -> array.add(entry.toJson()));
    return new JsonObject().put("entries", array);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static EndpointOwners fromJson(JsonObject json) {
    return new EndpointOwners(JsonFields.list(json, "entries", EndpointRegistered::fromJson));
  }
}
