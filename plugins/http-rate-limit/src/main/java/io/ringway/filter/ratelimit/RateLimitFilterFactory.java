package io.ringway.filter.ratelimit;

import io.ringway.spi.ConfigError;
import io.ringway.spi.http.FilterContext;
import io.ringway.spi.http.HttpFilter;
import io.ringway.spi.http.HttpFilterFactory;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@code rate-limit}: see the module README. */
public final class RateLimitFilterFactory implements HttpFilterFactory {

  @Override
  public String name() {
    return "rate-limit";
  }

  @Override
  public List<ConfigError> validate(JsonObject config, String path) {
    return RateLimitConfig.validate(config, path);
  }

  @Override
  public HttpFilter create(JsonObject config, FilterContext context) {
    RateLimitConfig limit = RateLimitConfig.of(config);
    return limit.scope() == RateLimitConfig.Scope.CLUSTER
        ? new ClusterRateLimitFilter(limit, context.route(), context.instances(), context.vertx(),
            System::currentTimeMillis, System::nanoTime)
        : new RateLimitFilter(limit, context.instances(), System::nanoTime);
  }
}
