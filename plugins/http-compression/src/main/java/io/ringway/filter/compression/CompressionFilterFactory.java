package io.ringway.filter.compression;

import io.ringway.spi.ConfigError;
import io.ringway.spi.http.FilterContext;
import io.ringway.spi.http.HttpFilter;
import io.ringway.spi.http.HttpFilterFactory;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code compression}: see the module README. */
public final class CompressionFilterFactory implements HttpFilterFactory {

  @Override
  public String name() {
    return "compression";
  }

  @Override
  public List<ConfigError> validate(JsonObject config, String path) {
    return CompressionConfig.validate(config, path);
  }

  @Override
  public HttpFilter create(JsonObject config, FilterContext context) {
    return new CompressionFilter(CompressionConfig.of(config));
  }
}
