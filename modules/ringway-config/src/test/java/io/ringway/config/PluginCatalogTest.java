package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.TransportPlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginCatalogTest {

  @Test
  void findsTheTransportPluginsOnTheClasspathInOrderOfPreference() {
    PluginCatalog catalog = PluginCatalog.load();

    assertThat(catalog.transportNames()).containsExactly("io_uring", "epoll", "nio");
    assertThat(catalog.transport("nio")).map(TransportPlugin::isAvailable).contains(true);
    assertThat(catalog.transport("uring")).isEmpty();
    assertThat(catalog.verticleNames()).isEmpty();
  }

  @Test
  void looksVerticlesUpByName() {
    PluginCatalog catalog = TestCatalogs.withVerticles();

    assertThat(catalog.verticleNames()).containsExactly("admin", "demo-upstream", "tcp-proxy", "http-router", "tun-bridge");
    assertThat(catalog.verticle("demo-upstream")).isPresent();
    assertThat(catalog.verticle("tcp")).isEmpty();
  }

  @Test
  void refusesTwoProvidersWithOneName() {
    assertThatThrownBy(() -> new PluginCatalog(List.of(),
        List.of(new TestCatalogs.NamedProvider("admin"), new TestCatalogs.NamedProvider("admin"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two verticle providers are named \"admin\"");
  }
}
