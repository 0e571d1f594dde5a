package io.ringway.config.impl;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Overrides of config keys from environment variables and system properties, kept as a tree that
 * {@link ConfigReader} consults key by key while it reads the document, so that matching a name to
 * a key needs no second copy of the schema.
 *
 * <p>The rules:
 * <ul>
 *   <li>Environment: {@code RINGWAY_<KEY>[__<KEY>...]}. {@code __} separates levels. Within a level,
 *       every {@code _} is dropped and the rest is compared case-insensitively with the document's
 *       keys, so {@code RINGWAY_EVENT_LOOPS} and {@code RINGWAY_EVENTLOOPS} both set {@code eventLoops},
 *       {@code RINGWAY_DEMO_UPSTREAM__HTTP_PORT} sets {@code demoUpstream.httpPort} and
 *       {@code RINGWAY_TRANSPORT_OPTIONS__IO_URING__RING_SIZE} sets {@code transportOptions.io_uring.ringSize}.</li>
 *   <li>System properties: {@code ringway.<key>[.<key>...]}, matched the same way
 *       ({@code -Dringway.admin.port=9902}).</li>
 *   <li>Precedence: system property, then environment, then the file.</li>
 *   <li>Values are strings; the reader turns them into the key's type: an integer, {@code true}/{@code false},
 *       or a comma-separated list ({@code RINGWAY_VERTICLES=admin,demo-upstream}). An error about such a
 *       value names the variable ({@code RINGWAY_ADMIN__PORT}) or the property ({@code -Dringway.admin.port}).</li>
 *   <li>A name whose first level matches no top-level key is ignored: the environment and the JVM carry
 *       unrelated {@code RINGWAY_*} and {@code ringway.*} names (the launcher's tests set {@code ringway.jar}).
 *       Below a known key, a name that matches nothing is an error, so a typo is not silently dropped.</li>
 *   <li>Inside a plugin's own options (whose keys Ringway does not know), a key the file does not already
 *       spell is written in camelCase from the name: {@code RING_SIZE} becomes {@code ringSize}.</li>
 * </ul>
 * Immutable once built.
 */
public final class ConfigOverlay {

  /** No overrides at all. */
  public static final ConfigOverlay NONE = new ConfigOverlay("");

  private static final String ENV_PREFIX = "RINGWAY_";
  private static final String PROPERTY_PREFIX = "ringway.";

  /**
   * One override.
   *
   * @param origin the variable or property that gave it, used as the path of errors about it
   * @param value its text
   */
  public record Setting(String origin, String value) {
  }

  private final String segment;
  private final Map<String, ConfigOverlay> children = new LinkedHashMap<>();
  private final List<ConfigError> conflicts = new ArrayList<>();
  private Setting setting;
  private String settingKind;

  private ConfigOverlay(String segment) {
    this.segment = segment;
  }

  /** Builds the overrides that {@code env} and {@code sysprops} give; names without Ringway's prefix are skipped. */
  public static ConfigOverlay from(Map<String, String> env, Map<String, String> sysprops) {
    ConfigOverlay root = new ConfigOverlay("");
    // sorted, so that which of two clashing names wins does not depend on map order
    new TreeMap<>(env).forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX)) {
        root.add(name.substring(ENV_PREFIX.length()).split("__", -1), new Setting(name, value), "environment");
      }
    });
    new TreeMap<>(sysprops).forEach((name, value) -> {
      if (name.startsWith(PROPERTY_PREFIX)) {
        root.add(name.substring(PROPERTY_PREFIX.length()).split("\\.", -1), new Setting("-D" + name, value), "property");
      }
    });
    return root;
  }

  /** The form in which names are compared: lower case, without {@code _} and {@code -}. */
  public static String normalize(String key) {
    return key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  /** The overrides below {@code key} (matched by {@link #normalize}); empty when there are none. */
  public ConfigOverlay child(String key) {
    ConfigOverlay child = children.get(normalize(key));
    return child == null ? NONE : child;
  }

  /** The normalized names of the levels directly below this one. */
  public Set<String> childKeys() {
    return children.keySet();
  }

  /** The override of this very key, or null. */
  public Setting setting() {
    return setting;
  }

  /** This level's name as the variable or property spelled it ({@code RING_SIZE}, {@code ringSize}). */
  public String segment() {
    return segment;
  }

  /** Every override at or below this level, in the order they were given. */
  public List<Setting> settings() {
    List<Setting> all = new ArrayList<>();
    if (setting != null) {
      all.add(setting);
    }
    children.values().forEach(child -> all.addAll(child.settings()));
    return all;
  }

  /** Whether nothing is overridden at or below this level. */
  public boolean isEmpty() {
    return setting == null && children.isEmpty();
  }

  /** Two names of the same kind that address the same key ({@code RINGWAY_EVENT_LOOPS} and {@code RINGWAY_EVENTLOOPS}). */
  public List<ConfigError> conflicts() {
    return List.copyOf(conflicts);
  }

  /**
   * Writes the overrides below this level into a plugin's options object, whose keys Ringway does not
   * know: a key the object already has keeps its spelling, a new one is camelCased from the name, and
   * values get a guessed type (integer, true/false, else string) since no schema says better.
   *
   * @param target the options, changed in place
   * @param path the options' path in the document
   * @return the origin of each path written, so errors about those keys can name the override
   */
  public Map<String, String> mergeInto(JsonObject target, String path) {
    Map<String, String> origins = new HashMap<>();
    for (ConfigOverlay node : children.values()) {
      String key = target.fieldNames().stream()
          .filter(name -> normalize(name).equals(normalize(node.segment)))
          .findFirst().orElse(camelCase(node.segment));
      if (node.setting != null) {
        target.put(key, guessType(node.setting.value()));
        origins.put(path + "." + key, node.setting.origin());
      } else {
        JsonObject nested = target.getValue(key) instanceof JsonObject found ? found : new JsonObject();
        target.put(key, nested);
        origins.putAll(node.mergeInto(nested, path + "." + key));
      }
    }
    return origins;
  }

  private void add(String[] segments, Setting value, String kind) {
    for (String part : segments) {
      if (normalize(part).isEmpty()) {
        return; // RINGWAY_ADMIN____PORT or ringway..port address nothing
      }
    }
    ConfigOverlay node = this;
    for (String part : segments) {
      node = node.children.computeIfAbsent(normalize(part), key -> new ConfigOverlay(part));
    }
    if (node.setting != null && kind.equals(node.settingKind)) {
      conflicts.add(new ConfigError(value.origin(), "sets the same key as " + node.setting.origin() + "; remove one ("
          + kind + " names are compared without case and '_')"));
    }
    node.setting = value;
    node.settingKind = kind;
  }

  /** {@code RING_SIZE} and {@code RINGSIZE} become {@code ringSize} and {@code ringsize}; {@code ringSize} stays. */
  private static String camelCase(String segment) {
    if (!segment.contains("_") && !segment.equals(segment.toUpperCase(Locale.ROOT))) {
      return segment;
    }
    StringBuilder name = new StringBuilder();
    for (String word : segment.toLowerCase(Locale.ROOT).split("_")) {
      if (!word.isEmpty()) {
        name.append(name.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
      }
    }
    return name.toString();
  }

  private static Object guessType(String text) {
    String trimmed = text.trim();
    if (trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(trimmed);
    }
    try {
      long number = Long.parseLong(trimmed);
      return number == (int) number ? (Object) (int) number : (Object) number;
    } catch (NumberFormatException notANumber) {
      return text;
    }
  }
}
