package io.ringway.config;

import io.ringway.spi.TransportPlugin;
import io.ringway.spi.VerticleProvider;
import io.ringway.spi.http.HttpFilterFactory;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;

/**
 * The transport plugins and verticle providers this build has: the names config may use. Transports
 * are kept in ascending {@link TransportPlugin#preference()}, the order {@code transport: auto} tries them.
 *
 * @param transports transport plugins, most preferred first
 * @param verticles verticle providers, in discovery order
 * @param filters HTTP filter factories, in discovery order
 */
public record PluginCatalog(List<TransportPlugin> transports, List<VerticleProvider> verticles,
                            List<HttpFilterFactory> filters) {

  /** @throws IllegalArgumentException when two plugins, or two providers, share a name: config could not tell them apart */
  public PluginCatalog {
    transports = transports.stream().sorted(Comparator.comparingInt(TransportPlugin::preference)).toList();
    verticles = List.copyOf(verticles);
    requireUniqueNames(transports, TransportPlugin::name, "transport plugins");
    requireUniqueNames(verticles, VerticleProvider::name, "verticle providers");
    filters = List.copyOf(filters);
    requireUniqueNames(filters, HttpFilterFactory::name, "HTTP filter factories");
  }

  /** A catalog without HTTP filters. */
  public PluginCatalog(List<TransportPlugin> transports, List<VerticleProvider> verticles) {
    this(transports, verticles, List.of());
  }

  /** Finds every plugin and provider on the classpath with {@link ServiceLoader}. */
  public static PluginCatalog load() {
    return new PluginCatalog(
        ServiceLoader.load(TransportPlugin.class).stream().map(ServiceLoader.Provider::get).toList(),
        ServiceLoader.load(VerticleProvider.class).stream().map(ServiceLoader.Provider::get).toList(),
        ServiceLoader.load(HttpFilterFactory.class).stream().map(ServiceLoader.Provider::get).toList());
  }

  /** The transport plugin config calls {@code name}, if any. */
  public Optional<TransportPlugin> transport(String name) {
    return transports.stream().filter(plugin -> plugin.name().equals(name)).findFirst();
  }

  /** The verticle provider config calls {@code name}, if any. */
  public Optional<VerticleProvider> verticle(String name) {
    return verticles.stream().filter(provider -> provider.name().equals(name)).findFirst();
  }

  /** The HTTP filter factory config calls {@code name}, if any. */
  public Optional<HttpFilterFactory> filter(String name) {
    return filters.stream().filter(factory -> factory.name().equals(name)).findFirst();
  }

  /** HTTP filter names, in discovery order. */
  public List<String> filterNames() {
    return filters.stream().map(HttpFilterFactory::name).toList();
  }

  /** Transport names, most preferred first. */
  public List<String> transportNames() {
    return transports.stream().map(TransportPlugin::name).toList();
  }

  /** Verticle names, in discovery order. */
  public List<String> verticleNames() {
    return verticles.stream().map(VerticleProvider::name).toList();
  }

  private static <T> void requireUniqueNames(List<T> plugins, Function<T, String> name, String kind) {
    Set<String> seen = new HashSet<>();
    for (T plugin : plugins) {
      if (!seen.add(name.apply(plugin))) {
        throw new IllegalArgumentException("two " + kind + " are named \"" + name.apply(plugin) + "\": "
            + plugins.stream().filter(p -> name.apply(p).equals(name.apply(plugin))).map(p -> p.getClass().getName()).toList());
      }
    }
  }
}
