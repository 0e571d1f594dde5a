package io.ringway.config.impl;

import io.ringway.config.PluginCatalog;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code transport} and {@code transportOptions}: names come from the plugins found, options are each plugin's to check. */
final class TransportSection {

  static final String AUTO = "auto";

  private TransportSection() {
  }

  /** {@code auto} or the name of a transport plugin. */
  static String transport(ConfigReader root, PluginCatalog catalog) {
    String name = root.string("transport", AUTO);
    if (!name.equals(AUTO) && catalog.transport(name).isEmpty()) {
      List<String> known = new ArrayList<>();
      known.add(AUTO);
      known.addAll(catalog.transportNames());
      root.fail("transport", "unknown transport \"" + name + "\" (known: " + String.join(", ", known) + ")");
    }
    return name;
  }

  /** Options per plugin name, each checked by its plugin's {@link TransportPlugin#validate}. */
  static Map<String, JsonObject> options(ConfigReader root, PluginCatalog catalog) {
    ConfigReader section = root.object("transportOptions");
    Map<String, JsonObject> options = new LinkedHashMap<>();
    for (String name : section.names(catalog.transportNames())) {
      Optional<TransportPlugin> plugin = catalog.transport(name);
      if (plugin.isEmpty()) {
        section.fail(name, "unknown transport \"" + name + "\" (known: " + String.join(", ", catalog.transportNames()) + ")");
        continue;
      }
      JsonObject checked = section.foreignObject(name, plugin.get()::validate);
      if (checked != null) {
        options.put(name, checked);
      }
    }
    return options;
  }
}
