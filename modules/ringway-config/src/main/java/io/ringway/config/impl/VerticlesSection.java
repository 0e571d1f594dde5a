package io.ringway.config.impl;

import io.ringway.config.PluginCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code verticles}: which verticle providers to deploy, in order. */
final class VerticlesSection {

  static final List<String> DEFAULT = List.of("admin", "demo-upstream");

  private VerticlesSection() {
  }

  /**
   * The names, each once. They are checked against the catalog only when it knows some verticles:
   * a build without any (this module's own tests, a bare SPI check) cannot tell a good name from a bad one.
   */
  static List<String> read(ConfigReader root, PluginCatalog catalog) {
    List<String> known = catalog.verticleNames();
    Map<String, String> firstSeenAt = new HashMap<>();
    List<String> names = new ArrayList<>();
    for (ConfigReader.Item<String> item : root.strings("verticles", 1, DEFAULT)) {
      String name = item.value();
      if (!known.isEmpty() && !known.contains(name)) {
        root.failAt(item.path(), "unknown verticle \"" + name + "\" (known: " + String.join(", ", known) + ")");
      } else if (firstSeenAt.containsKey(name)) {
        root.failAt(item.path(), "duplicate verticle \"" + name + "\" (already at " + firstSeenAt.get(name) + ")");
      } else {
        firstSeenAt.put(name, item.path());
        names.add(name);
      }
    }
    return names;
  }
}
