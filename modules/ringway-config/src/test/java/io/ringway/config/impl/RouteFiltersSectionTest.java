package io.ringway.config.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigError;
import io.ringway.spi.config.FilterConfig;
import io.ringway.spi.http.FilterContext;
import io.ringway.spi.http.HttpFilter;
import io.ringway.spi.http.HttpFilterFactory;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code http.routes[i].filters}: names resolved against the catalog's filter plugins, each config checked by its plugin. */
class RouteFiltersSectionTest {

  /** Wants {@code status}, nothing else: enough to see its errors reported at their path. */
  private static final HttpFilterFactory DENY = new HttpFilterFactory() {
    @Override
    public String name() {
      return "deny";
    }

    @Override
    public List<ConfigError> validate(JsonObject config, String path) {
      return config.getValue("status") instanceof Integer ? List.of()
          : List.of(new ConfigError(path + ".status", "required"));
    }

    @Override
    public HttpFilter create(JsonObject config, FilterContext context) {
      throw new UnsupportedOperationException("config tests create no filter");
    }
  };

  private final ConfigValidator validator = new ConfigValidator(new PluginCatalog(List.of(), List.of(), List.of(DENY)),
      2, "node-a", List.of(0, 1));

  @Test
  void readsTheFiltersOfARouteInOrder() {
    var result = validator.validate(document("[{\"deny\": {\"status\": 403}}, {\"deny\": {\"status\": 429}}]"),
        ConfigOverlay.NONE);

    assertThat(result.errors()).isEmpty();
    assertThat(result.config().http().routes().getFirst().filters()).containsExactly(
        new FilterConfig("deny", new JsonObject().put("status", 403)),
        new FilterConfig("deny", new JsonObject().put("status", 429)));
  }

  @Test
  void namesEachWrongEntryByItsPath() {
    assertThat(errors("[{\"jwt\": {}}, {\"deny\": {}}, {\"deny\": {\"status\": 1}, \"extra\": {}}, {}, \"deny\"]"))
        .containsExactlyInAnyOrder(
            "http.routes[0].filters[0].jwt: unknown filter \"jwt\" (known: deny)",
            "http.routes[0].filters[1].deny.status: required",
            "http.routes[0].filters[2]: expected one filter name with its config, such as {rate-limit: "
                + "{requestsPerSecond: 100}}, got [deny, extra] (known: deny)",
            "http.routes[0].filters[3]: expected one filter name with its config, such as {rate-limit: "
                + "{requestsPerSecond: 100}}, got none (known: deny)",
            "http.routes[0].filters[4]: expected an object, got \"deny\"");
  }

  private List<String> errors(String filters) {
    return validator.validate(document(filters), ConfigOverlay.NONE).errors().stream().map(ConfigError::toString).toList();
  }

  private static JsonObject document(String filters) {
    return new JsonObject(Map.of("clusters", List.of(Map.of("name", "web", "endpoints", List.of(Map.of("host", "127.0.0.1", "port", 8080)))),
        "http", Map.of("routes", List.of(Map.of("name", "r", "target", "web", "filters", new io.vertx.core.json.JsonArray(filters))))));
  }
}
