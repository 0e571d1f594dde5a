package io.ringway.spi.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;

/**
 * The reply on {@link io.ringway.spi.Addresses#CLUSTER_ENDPOINTS_OWNERS}: every endpoint entry of the
 * cluster-wide registry with the member that owns it. An endpoint several members wrote (one in everyone's
 * config) appears once per owner.
 *
 * @param entries every entry, each with its cluster, endpoint and owner (the registry's member id)
 * @param nodeIds the Vert.x node id of each current member, by the member id owners are given in: Vert.x
 *     (and so the admin API) knows members by the former, the registry by the latter
 */
public record EndpointOwners(List<EndpointRegistered> entries, Map<String, String> nodeIds) {

  public EndpointOwners {
    entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
    nodeIds = Map.copyOf(Objects.requireNonNull(nodeIds, "nodeIds"));
  }

  /** {@code {"entries":[{"cluster":..,"endpoint":{..},"owner":..},..],"nodeIds":{"<member>":"<node>",..}}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    entries.forEach(entry -> array.add(entry.toJson()));
    JsonObject ids = new JsonObject();
    nodeIds.forEach(ids::put);
    return new JsonObject().put("entries", array).put("nodeIds", ids);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static EndpointOwners fromJson(JsonObject json) {
    Map<String, String> ids = new TreeMap<>();
    JsonFields.object(json, "nodeIds").forEach(field -> {
      if (!(field.getValue() instanceof String node)) {
        throw new IllegalArgumentException("nodeIds." + field.getKey() + ": expected a string, got " + field.getValue());
      }
      ids.put(field.getKey(), node);
    });
    return new EndpointOwners(JsonFields.list(json, "entries", EndpointRegistered::fromJson), ids);
  }
}
