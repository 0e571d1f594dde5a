package io.ringway.admin.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the stats answers of several verticle instances into one object of the same shape, the way a
 * reader of the whole node wants them: counters and levels add up, states shared by every instance
 * ({@link #SHARED}) take the largest value, {@code healthy} holds only when every instance says so, other
 * flags when any does; lists of objects are merged entry by entry on their identifying field
 * ({@link #KEYS}), histograms ({@code [{"le":..,"count":..}]}) bucket by bucket. Follows the shape, like
 * {@link PrometheusText}, so a new counter shows up without a change here.
 */
final class InstanceMerge {

  /** Fields that name an entry of a list, in the order they are looked for. */
  private static final List<String> KEYS = List.of("listener", "route", "cluster", "address", "peer", "name", "filter", "le");
  private static final Set<String> SHARED = Set.of("configVersion", "weight", "healthChecker", "instances", "port", "le");

  private InstanceMerge() {
  }

  /** One object holding every instance's fields, merged; the inputs are left as they were. */
  static JsonObject merge(List<JsonObject> instances) {
    JsonObject merged = new JsonObject();
    instances.forEach(instance -> into(merged, instance));
    return merged;
  }

  private static void into(JsonObject target, JsonObject source) {
    source.forEach(field -> target.put(field.getKey(), value(field.getKey(), target.getValue(field.getKey()), field.getValue())));
  }

  private static Object value(String key, Object have, Object next) {
    if (have == null) {
      return copy(next);
    }
    if (have instanceof Number a && next instanceof Number b) {
      boolean integral = !(a instanceof Double || a instanceof Float || b instanceof Double || b instanceof Float);
      if (SHARED.contains(key)) {
        return integral ? (Object) Math.max(a.longValue(), b.longValue()) : (Object) Math.max(a.doubleValue(), b.doubleValue());
      }
      return integral ? (Object) (a.longValue() + b.longValue()) : (Object) (a.doubleValue() + b.doubleValue());
    }
    if (have instanceof Boolean a && next instanceof Boolean b) {
      return key.equals("healthy") ? a && b : a || b;
    }
    if (have instanceof JsonObject a && next instanceof JsonObject b) {
      into(a, b);
      return a;
    }
    if (have instanceof JsonArray a && next instanceof JsonArray b) {
      return mergeList(a, b);
    }
    return have; // strings and anything else: every instance reports the same
  }

  private static JsonArray mergeList(JsonArray have, JsonArray next) {
    Map<Object, JsonObject> byKey = new LinkedHashMap<>();
    JsonArray unkeyed = new JsonArray();
    for (JsonArray list : List.of(have, next)) {
      for (Object entry : list) {
        Object key = entry instanceof JsonObject object ? keyOf(object) : null;
        if (key == null) {
          if (list == have) {
            unkeyed.add(entry);
          }
        } else if (byKey.containsKey(key)) {
          into(byKey.get(key), (JsonObject) entry);
        } else {
          byKey.put(key, list == have ? (JsonObject) entry : ((JsonObject) entry).copy());
        }
      }
    }
    JsonArray merged = new JsonArray();
    byKey.values().forEach(merged::add);
    unkeyed.forEach(merged::add);
    return merged;
  }

  private static Object keyOf(JsonObject entry) {
    for (String key : KEYS) {
      Object value = entry.getValue(key);
      if (value != null) {
        return key + "=" + value;
      }
    }
    return null;
  }

  private static Object copy(Object value) {
    if (value instanceof JsonObject object) {
      return object.copy();
    }
    return value instanceof JsonArray array ? array.copy() : value;
  }
}
