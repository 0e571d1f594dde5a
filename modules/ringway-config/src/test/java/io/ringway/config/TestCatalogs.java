package io.ringway.config;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Catalogs and loaders for tests: the real transport plugins, plus tiny verticle providers named like the real ones. */
final class TestCatalogs {

  /** Node name the tests' environment gives, so the default {@code demoUpstream.node} is known. */
  static final String NODE = "node-a";

  private TestCatalogs() {
  }

  /** The transports found on the classpath and verticles named like the real ones. */
  static PluginCatalog withVerticles() {
    return new PluginCatalog(PluginCatalog.load().transports(),
        List.of(new NamedProvider("admin"), new NamedProvider("demo-upstream"), new NamedProvider("tcp-proxy"),
            new NamedProvider("http-router"), new NamedProvider("tun-bridge")));
  }

  static ConfigLoader loader() {
    return loader(Map.of(), Map.of());
  }

  static ConfigLoader loader(Map<String, String> env, Map<String, String> sysprops) {
    Map<String, String> withHost = new HashMap<>(env);
    withHost.putIfAbsent("HOSTNAME", NODE);
    return new ConfigLoader(withVerticles(), withHost, sysprops);
  }

  /** A provider whose verticle does nothing: enough to make its name known. */
  record NamedProvider(String name) implements VerticleProvider {

    @Override
    public boolean perEventLoop() {
      return false;
    }

    @Override
    public Deployable create(ConfigSnapshot snapshot) {
      return new VerticleBase() {
        @Override
        public Future<?> start() {
          return Future.succeededFuture();
        }
      };
    }
  }
}
