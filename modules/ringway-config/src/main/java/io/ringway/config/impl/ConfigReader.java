package io.ringway.config.impl;

import io.ringway.spi.config.Durations;
import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Reads one object of a config document and remembers where it is, so every error names its path
 * ({@code admin.port}, {@code verticles[1]}) and every problem is collected instead of thrown. A
 * section reads its keys with the typed methods, which return the default after recording an error,
 * then calls {@link #rejectUnknownKeys()}: the keys it asked for are the known ones.
 *
 * <p>Overrides from {@link ConfigOverlay} win over the document, key by key; their string values are
 * turned into the key's type here, and errors about them name the variable or property.
 */
public final class ConfigReader {

  /**
   * One entry of a list, with the path errors about it name.
   *
   * @param path {@code verticles[1]}, or {@code RINGWAY_VERTICLES[1]} when an override gave the list
   * @param value the entry
   */
  public record Item<T>(String path, T value) {
  }

  private record Value(String path, Object raw, boolean overridden) {
  }

  private final JsonObject json;
  private final String path;
  private final ConfigOverlay overlay;
  private final boolean root;
  private final List<ConfigError> errors;
  private final Set<String> known = new LinkedHashSet<>();

  private ConfigReader(JsonObject json, String path, ConfigOverlay overlay, boolean root, List<ConfigError> errors) {
    this.json = json;
    this.path = path;
    this.overlay = overlay;
    this.root = root;
    this.errors = errors;
  }

  /** A reader of the whole document that adds its errors to {@code errors}. */
  public static ConfigReader root(JsonObject document, ConfigOverlay overlay, List<ConfigError> errors) {
    return new ConfigReader(document, "", overlay, true, errors);
  }

  /** This object's own path: {@code http.routes[2].filters[0]}. */
  public String path() {
    return path;
  }

  /** The path of {@code key} in this object: {@code admin.port}. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** An integer from {@code min} to {@code max}; {@code defaultValue} when absent or wrong. */
  public int integer(String key, int min, int max, int defaultValue) {
    Value value = value(key);
    if (value.raw() == null) {
      return defaultValue;
    }
    Long number = integral(value);
    if (number == null || number < min || number > max) {
      failAt(value.path(), "expected an integer from " + min + " to " + max + ", got " + describe(value.raw()));
      return defaultValue;
    }
    return number.intValue();
  }

  /**
   * A duration written with its unit ({@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}; {@code 0} alone
   * is zero) from {@code min} to {@code max}; {@code defaultValue} when absent or wrong.
   */
  public Duration duration(String key, Duration min, Duration max, Duration defaultValue) {
    Value value = value(key);
    if (value.raw() == null) {
      return defaultValue;
    }
    Duration duration = value.raw() instanceof String text ? Durations.parse(text.trim()) : null;
    if (duration == null || duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      failAt(value.path(), "expected a duration from " + Durations.format(min) + " to " + Durations.format(max)
          + " such as 250ms, 5s, 2m or 1h, got " + describe(value.raw()));
      return defaultValue;
    }
    return duration;
  }

  /**
   * Whether {@code key} holds an object: the document gives one, or only overrides of keys below it
   * ({@code RINGWAY_EVENTLOOPS__AFFINITY}) give it anything.
   */
  public boolean isObject(String key) {
    Value value = value(key);
    return value.raw() instanceof JsonObject && !value.overridden()
        || value.raw() == null && !overlay.child(key).childKeys().isEmpty();
  }

  /** The value of {@code key} as found (an override's is its string), with its path; the value is null when absent. */
  public Item<Object> raw(String key) {
    Value value = value(key);
    return new Item<>(value.path(), value.raw());
  }

  /** Whether the document or an override gives {@code key} a value. */
  public boolean has(String key) {
    return value(key).raw() != null;
  }

  /** Whether the document or an override gives {@code key} a value or anything below it (an override of {@code key.sub}). */
  public boolean given(String key) {
    return has(key) || !overlay.child(key).isEmpty();
  }

  /** Whether {@code key} is the literal {@code false}: how config turns off a section that is on by default. */
  public boolean isFalse(String key) {
    Value value = value(key);
    return Boolean.FALSE.equals(value.raw()) || value.overridden() && "false".equalsIgnoreCase(String.valueOf(value.raw()).trim());
  }

  /** {@code true} or {@code false}; {@code defaultValue} when absent or wrong. */
  public boolean bool(String key, boolean defaultValue) {
    Value value = value(key);
    if (value.raw() instanceof Boolean flag) {
      return flag;
    }
    if (value.overridden() && value.raw() instanceof String text
        && (text.trim().equalsIgnoreCase("true") || text.trim().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(text.trim());
    }
    if (value.raw() != null) {
      failAt(value.path(), "expected true or false, got " + describe(value.raw()));
    }
    return defaultValue;
  }

  /** A non-blank string; {@code defaultValue} when absent or wrong. */
  public String string(String key, String defaultValue) {
    String text = optionalString(key);
    return text == null ? defaultValue : text;
  }

  /** A non-blank string, or null when absent or wrong. */
  public String optionalString(String key) {
    Value value = value(key);
    if (value.raw() == null) {
      return null;
    }
    if (value.raw() instanceof String text && !text.isBlank()) {
      return text;
    }
    failAt(value.path(), "expected a non-empty string, got " + describe(value.raw()));
    return null;
  }

  /**
   * A nested object with schema keys of its own; an empty one when absent or wrong, so its section
   * still yields its defaults.
   */
  public ConfigReader object(String key) {
    Value value = value(key);
    JsonObject object = new JsonObject();
    if (value.raw() instanceof JsonObject found && !value.overridden()) {
      object = found;
    } else if (value.raw() != null) {
      failAt(value.path(), "expected an object, got " + describe(value.raw()));
    }
    return new ConfigReader(object, pathOf(key), overlay.child(key), false, errors);
  }

  /**
   * A list of non-blank strings with at least {@code minSize} entries; an override gives it
   * comma-separated. Entries that are not strings are left out, after an error at their path.
   */
  public List<Item<String>> strings(String key, int minSize, List<String> defaultValue) {
    Value value = value(key);
    if (value.raw() == null) {
      return items(pathOf(key), defaultValue);
    }
    List<Object> entries = new ArrayList<>();
    if (value.overridden()) {
      for (String part : ((String) value.raw()).split(",")) {
        if (!part.isBlank()) {
          entries.add(part.trim());
        }
      }
    } else if (value.raw() instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        entries.add(array.getValue(i));
      }
    } else {
      failAt(value.path(), "expected a list, got " + describe(value.raw()));
      return List.of();
    }
    if (entries.size() < minSize) {
      failAt(value.path(), (minSize == 1 ? "expected a non-empty list" : "expected at least " + minSize + " entries")
          + ", got " + describe(value.raw()));
      return List.of();
    }
    List<Item<String>> items = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String itemPath = value.path() + "[" + i + "]";
      if (entries.get(i) instanceof String text && !text.isBlank()) {
        items.add(new Item<>(itemPath, text));
      } else {
        failAt(itemPath, "expected a non-empty string, got " + describe(entries.get(i)));
      }
    }
    return items;
  }

  /**
   * A list of objects with schema keys of their own ({@code http.routes}): one reader per entry, at
   * {@code http.routes[2]}. Overrides reach an entry by its index ({@code -Dringway.http.listeners.0.port},
   * {@code RINGWAY_HTTP__LISTENERS__0__PORT}), so a deployment can move a port without its own file;
   * one naming no existing entry is an error rather than silently lost.
   */
  public List<ConfigReader> objects(String key) {
    Value value = value(key);
    ConfigOverlay entryOverlays = overlay.child(key);
    int size = value.raw() instanceof JsonArray array && !value.overridden() ? array.size() : 0;
    entryOverlays.childKeys().stream().filter(index -> !isIndexBelow(index, size)).forEach(index ->
        entryOverlays.child(index).settings().forEach(setting -> failAt(setting.origin(), "the list " + pathOf(key)
            + " has no entry " + entryOverlays.child(index).segment() + " (entries: " + size + ")")));
    if (value.raw() == null) {
      return List.of();
    }
    if (value.overridden() || !(value.raw() instanceof JsonArray array)) {
      failAt(value.path(), "expected a list of objects, got " + describe(value.raw()));
      return List.of();
    }
    List<ConfigReader> entries = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String entryPath = pathOf(key) + "[" + i + "]";
      if (array.getValue(i) instanceof JsonObject entry) {
        entries.add(new ConfigReader(entry, entryPath, entryOverlays.child(String.valueOf(i)), false, errors));
      } else {
        failAt(entryPath, "expected an object, got " + describe(array.getValue(i)));
      }
    }
    return entries;
  }

  private static boolean isIndexBelow(String key, int size) {
    return key.chars().allMatch(Character::isDigit) && key.length() < 10 && Integer.parseInt(key) < size;
  }

  /**
   * The keys of an object whose keys are names rather than schema (plugin names under
   * {@code transportOptions}): the document's, then those only an override gives, spelled as the
   * matching candidate or, when none matches, as the override wrote them. All count as known.
   */
  public List<String> names(Collection<String> candidates) {
    List<String> names = new ArrayList<>(json.fieldNames());
    Set<String> taken = names.stream().map(ConfigOverlay::normalize).collect(Collectors.toSet());
    for (String child : overlay.childKeys()) {
      if (taken.add(child)) {
        names.add(candidates.stream().filter(name -> ConfigOverlay.normalize(name).equals(child)).findFirst()
            .orElse(overlay.child(child).segment()));
      }
    }
    known.addAll(names);
    return names;
  }

  /**
   * An object whose keys belong to someone else (a plugin's options), checked by {@code check(object, path)}.
   * Overrides are merged in with a guessed type (integer, true/false, else string), and an error
   * {@code check} reports at a key an override set names that override. Null when the value is not an object.
   */
  public JsonObject foreignObject(String key, BiFunction<JsonObject, String, List<ConfigError>> check) {
    Value value = value(key);
    JsonObject object = new JsonObject();
    if (value.raw() instanceof JsonObject found && !value.overridden()) {
      object = found.copy();
    } else if (value.raw() != null) {
      failAt(value.path(), "expected an object, got " + describe(value.raw()));
      return null;
    }
    Map<String, String> origins = overlay.child(key).mergeInto(object, pathOf(key));
    for (ConfigError error : check.apply(object, pathOf(key))) {
      String origin = origins.get(error.path());
      errors.add(origin == null ? error : new ConfigError(origin, error.message()));
    }
    return object;
  }

  /**
   * Records an error about {@code key} of this object, at the override that gave it when only an
   * override did.
   */
  public void fail(String key, String message) {
    ConfigOverlay below = overlay.child(key);
    if (below.setting() != null) {
      failAt(below.setting().origin(), message);
    } else if (!json.containsKey(key) && !below.isEmpty()) {
      failAt(below.settings().get(0).origin(), message);
    } else {
      failAt(pathOf(key), message);
    }
  }

  /** Records an error at a path a read method handed out ({@link Item#path()}). */
  public void failAt(String errorPath, String message) {
    errors.add(new ConfigError(errorPath, message));
  }

  /**
   * Reports every key of this object that no read method asked for. At the top level, override
   * names that match no key are left alone: they may not be meant for Ringway (see {@link ConfigOverlay}).
   */
  public void rejectUnknownKeys() {
    String message = "unknown key (known: " + String.join(", ", known) + ")";
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        failAt(pathOf(key), message);
      }
    }
    if (root) {
      return;
    }
    Set<String> knownNormalized = known.stream().map(ConfigOverlay::normalize).collect(Collectors.toSet());
    for (String child : overlay.childKeys()) {
      if (!knownNormalized.contains(child)) {
        overlay.child(child).settings().forEach(setting -> failAt(setting.origin(), message));
      }
    }
  }

  /** How a found value is quoted in messages: strings in quotes, objects and lists by kind. */
  public static String describe(Object value) {
    if (value instanceof String text) {
      return "\"" + text + "\"";
    }
    if (value instanceof JsonObject || value instanceof Map) {
      return "an object";
    }
    if (value instanceof JsonArray array) {
      return array.isEmpty() ? "[]" : "a list";
    }
    if (value instanceof List<?> list) {
      return list.isEmpty() ? "[]" : "a list";
    }
    if (value instanceof byte[]) {
      // YAML's !!binary: the array's toString is an identity hash, different on every read.
      return "binary data";
    }
    return String.valueOf(value);
  }

  private Value value(String key) {
    known.add(key);
    ConfigOverlay.Setting setting = overlay.child(key).setting();
    if (setting != null) {
      return new Value(setting.origin(), setting.value(), true);
    }
    return new Value(pathOf(key), json.getValue(key), false);
  }

  private static Long integral(Value value) {
    Object raw = value.raw();
    if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof BigInteger big) {
      return big.bitLength() < Long.SIZE ? big.longValue() : null;
    }
    if (value.overridden() && raw instanceof String text) {
      try {
        return Long.parseLong(text.trim());
      } catch (NumberFormatException notAnInteger) {
        return null;
      }
    }
    return null;
  }

  private static List<Item<String>> items(String listPath, List<String> values) {
    List<Item<String>> items = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      items.add(new Item<>(listPath + "[" + i + "]", values.get(i)));
    }
    return items;
  }
}
