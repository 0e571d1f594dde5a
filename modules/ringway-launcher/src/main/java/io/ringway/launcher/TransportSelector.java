package io.ringway.launcher;

import io.ringway.spi.TransportPlugin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the configured transport name into a plugin. {@code auto} takes the first available plugin in
 * preference order; an explicit name that is unavailable is an error, never a silent fallback.
 */
final class TransportSelector {

  static final String AUTO = "auto";

  /**
   * The chosen plugin and the one log line that explains the choice.
   *
   * @param plugin the transport to run on
   * @param explanation e.g. {@code transport: epoll (auto; io_uring skipped: <cause>)}
   */
  record Selection(TransportPlugin plugin, String explanation) {
  }

  private TransportSelector() {
  }

  static Selection select(String requested, List<TransportPlugin> plugins) {
    List<TransportPlugin> ordered = plugins.stream().sorted(Comparator.comparingInt(TransportPlugin::preference)).toList();
    if (AUTO.equals(requested)) {
      List<String> skipped = new ArrayList<>();
      for (TransportPlugin plugin : ordered) {
        if (plugin.isAvailable()) {
          String why = skipped.isEmpty() ? "auto" : "auto; " + String.join("; ", skipped);
          return new Selection(plugin, "transport: " + plugin.name() + " (" + why + ")");
        }
        skipped.add(plugin.name() + " skipped: " + plugin.unavailabilityCause());
      }
      throw new StartupException("transport: auto found no available transport (" + String.join("; ", skipped) + ")");
    }
    TransportPlugin plugin = ordered.stream().filter(p -> p.name().equals(requested)).findFirst()
        .orElseThrow(() -> new StartupException("transport: unknown transport \"" + requested + "\" (known: "
            + String.join(", ", ordered.stream().map(TransportPlugin::name).toList()) + ")"));
    if (!plugin.isAvailable()) {
      throw new StartupException("transport: " + requested + " was asked for but is not available: "
          + plugin.unavailabilityCause() + " (use transport: auto to fall back)");
    }
    return new Selection(plugin, "transport: " + plugin.name() + " (configured)");
  }
}
