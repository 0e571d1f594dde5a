package io.ringway.filter.jwt;

import io.ringway.spi.ConfigError;
import io.ringway.spi.http.FilterContext;
import io.ringway.spi.http.HttpFilter;
import io.ringway.spi.http.HttpFilterFactory;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code jwt}: see the module README. */
public final class JwtFilterFactory implements HttpFilterFactory {

  @Override
  public String name() {
    return "jwt";
  }

  @Override
  public List<ConfigError> validate(JsonObject config, String path) {
    return JwtConfig.validate(config, path);
  }

  @Override
  public HttpFilter create(JsonObject config, FilterContext context) {
    return new JwtFilter(context.vertx(), JwtConfig.of(config), context.route());
  }
}
