package io.ringway.admin.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * The config records as JSON for {@code GET /config}, by their components, so a new config field
 * shows up without a change here. Secrets are masked: the admin token and anything named like a
 * secret never leave the node through the API.
 */
final class ConfigJson {

  private static final Set<String> SECRET = Set.of("token", "secret", "password", "privateKey");
  static final String MASK = "<redacted>";

  private ConfigJson() {
  }

  static Object toJson(Object value) {
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Duration duration) {
      return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
    if (value instanceof Enum<?> constant) {
      return constant.name().toLowerCase(java.util.Locale.ROOT);
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      return value;
    }
    if (value instanceof Collection<?> collection) {
      JsonArray array = new JsonArray();
      collection.forEach(element -> array.add(toJson(element)));
      return array;
    }
    if (value instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      map.forEach((key, element) -> object.put(String.valueOf(key), toJson(element)));
      return object;
    }
    if (value.getClass().isRecord()) {
      JsonObject object = new JsonObject();
      for (RecordComponent component : value.getClass().getRecordComponents()) {
        Object field = read(component, value);
        object.put(component.getName(), SECRET.contains(component.getName()) && field != null ? MASK : toJson(field));
      }
      return object;
    }
    return String.valueOf(value);
  }

  private static Object read(RecordComponent component, Object record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (ReflectiveOperationException unreadable) {
      return "<unreadable: " + unreadable + ">";
    }
  }
}
