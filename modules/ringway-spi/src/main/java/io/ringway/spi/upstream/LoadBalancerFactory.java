package io.ringway.spi.upstream;

import io.ringway.spi.ConfigError;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * A load-balancing policy with the name config uses ({@code loadBalancer: maglev}), found by
 * {@link ServiceLoader}. Adding a policy never touches a proxy.
 */
public interface LoadBalancerFactory {

  /** The name config uses: {@code round_robin}, {@code least_request}, {@code random}, {@code maglev}. */
  String name();

  /**
   * Builds a balancer over a fixed endpoint list.
   *
   * @param endpoints the endpoints, in the order {@link PickContext} indices refer to; may be empty
   * @param random the randomness source, owned by the caller's event loop; seeded in tests
   */
  LoadBalancer create(List<Endpoint> endpoints, RandomGenerator random);

  /** Every installed factory by name, sorted by name; the first one found wins a duplicate name. */
  static Map<String, LoadBalancerFactory> installed() {
    Map<String, LoadBalancerFactory> byName = new TreeMap<>();
    for (LoadBalancerFactory factory : ServiceLoader.load(LoadBalancerFactory.class)) {
      byName.putIfAbsent(factory.name(), factory);
    }
    return byName;
  }

  /** The factory of that name; throws {@link IllegalArgumentException} listing the known names otherwise. */
  static LoadBalancerFactory named(String name) {
    Map<String, LoadBalancerFactory> installed = installed();
    LoadBalancerFactory factory = installed.get(name);
    if (factory == null) {
      throw new IllegalArgumentException(unknown(name, installed));
    }
    return factory;
  }

  /**
   * Checks a configured name against the installed factories.
   *
   * @param path the name's path in the document, e.g. {@code clusters[0].loadBalancer}
   * @return the error to report, empty when the name is known
   */
  static Optional<ConfigError> checkName(String name, String path) {
    Map<String, LoadBalancerFactory> installed = installed();
    return installed.containsKey(name) ? Optional.empty() : Optional.of(new ConfigError(path, unknown(name, installed)));
  }

  private static String unknown(String name, Map<String, LoadBalancerFactory> installed) {
    return "unknown load balancer \"" + name + "\" (known: " + String.join(", ", List.copyOf(installed.keySet())) + ")";
  }
}
