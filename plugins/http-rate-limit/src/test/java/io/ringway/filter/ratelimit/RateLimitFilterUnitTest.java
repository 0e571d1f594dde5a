package io.ringway.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.spi.http.FilterRequest;
import io.ringway.spi.http.FilterVerdict;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bucket arithmetic on a hand-driven clock, and the config's errors. */
class RateLimitFilterUnitTest {

  private long now = TimeUnit.SECONDS.toNanos(1000);

  @Test
  void aBurstPassesThenTheRateAndRetryAfterSaysWhenTheNextTokenComes() {
    RateLimitFilter filter = filter("{\"requestsPerSecond\": 2, \"burst\": 3}", 1);

    assertThat(statuses(filter, "10.0.0.1", 3)).containsOnly(0);
    FilterVerdict refused = verdict(filter, request("10.0.0.1", null));
    assertThat(refused).isEqualTo(new FilterVerdict.Reply(429, Map.of("retry-after", "1"), "rate limited"));
    now += TimeUnit.MILLISECONDS.toNanos(499);
    assertThat(verdict(filter, request("10.0.0.1", null))).isInstanceOf(FilterVerdict.Reply.class);
    now += TimeUnit.MILLISECONDS.toNanos(2);
    assertThat(verdict(filter, request("10.0.0.1", null))).isEqualTo(FilterVerdict.CONTINUE);
    // An idle key fills up to the burst, never beyond.
    now += TimeUnit.SECONDS.toNanos(60);
    assertThat(statuses(filter, "10.0.0.1", 4)).containsExactly(0, 0, 0, 429);
    assertThat(filter.stats().encode()).isEqualTo("{\"allowed\":7,\"limited\":3,\"activeKeys\":1,\"evicted\":0}");
  }

  @Test
  void slowRatesSayTheWholeWaitInRetryAfter() {
    RateLimitFilter filter = filter("{\"requestsPerSecond\": 0.1, \"burst\": 1}", 1);

    verdict(filter, request("a", null));
    assertThat(((FilterVerdict.Reply) verdict(filter, request("a", null))).headers()).containsEntry("retry-after", "10");
  }

  @Test
  void theRouteKeySplitsItsRateOverTheEventLoopsAndTheTableStaysBounded() {
    RateLimitFilter route = filter("{\"requestsPerSecond\": 10, \"burst\": 10, \"key\": \"route\"}", 4);
    assertThat(statuses(route, "a", 3)).containsExactly(0, 0, 0);
    assertThat(statuses(route, "b", 1)).as("ceil(10 / 4) = 3 per loop").containsExactly(429);

    RateLimitFilter bounded = filter("{\"requestsPerSecond\": 1, \"maxKeys\": 2}", 1);
    for (String client : new String[] {"a", "b", "c", "d"}) {
      verdict(bounded, request(client, null));
    }
    assertThat(bounded.stats().getLong("activeKeys")).isEqualTo(2);
    assertThat(bounded.stats().getLong("evicted")).isEqualTo(2);
  }

  @Test
  void aHeaderKeyGivesEachValueItsOwnBucketAndTheMissingOnesOneTogether() {
    RateLimitFilter filter = filter("{\"requestsPerSecond\": 1, \"burst\": 1, \"key\": \"header:X-Api-Key\"}", 1);

    assertThat(verdict(filter, request("1.1.1.1", "k1"))).isEqualTo(FilterVerdict.CONTINUE);
    assertThat(verdict(filter, request("2.2.2.2", "k1"))).isInstanceOf(FilterVerdict.Reply.class);
    assertThat(verdict(filter, request("1.1.1.1", "k2"))).isEqualTo(FilterVerdict.CONTINUE);
    assertThat(verdict(filter, request("1.1.1.1", null))).isEqualTo(FilterVerdict.CONTINUE);
    assertThat(verdict(filter, request("3.3.3.3", null))).isInstanceOf(FilterVerdict.Reply.class);
  }

  @Test
  void refusesBadConfigWithPaths() {
    assertThat(errors("{}")).containsExactly("p.requestsPerSecond: required: the refill rate, such as 100 or 0.5");
    assertThat(errors("{\"requestsPerSecond\": 0, \"burst\": 0, \"key\": \"ip\", \"maxKeys\": \"many\", \"per\": 1}"))
        .containsExactly(
            "p.per: unknown key (known: requestsPerSecond, burst, key, maxKeys, scope, windowSeconds, leaseSize)",
            "p.requestsPerSecond: expected a number above 0 and at most 1000000000, got 0",
            "p.burst: expected an integer from 1 to 1000000000, got 0",
            "p.maxKeys: expected an integer from 1 to 10000000, got \"many\"",
            "p.key: expected client, route or header:<name>, got \"ip\"");
    assertThat(errors("{\"requestsPerSecond\": 5, \"key\": \"header:bad name\"}"))
        .containsExactly("p.key: expected client, route or header:<name>, got \"header:bad name\"");
    assertThat(errors("{\"requestsPerSecond\": 0.5, \"key\": \"header:x-api-key\"}")).isEmpty();
  }

  private static FilterVerdict verdict(RateLimitFilter filter, FilterRequest request) {
    io.vertx.core.Future<FilterVerdict> verdict = filter.onRequest(request);
    assertThat(verdict.isComplete()).as("decided at once").isTrue();
    return verdict.result();
  }

  private RateLimitFilter filter(String json, int instances) {
    assertThat(errors(json)).isEmpty();
    return new RateLimitFilter(RateLimitConfig.of(new JsonObject(json)), instances, () -> now);
  }

  private static java.util.List<String> errors(String json) {
    return RateLimitConfig.validate(new JsonObject(json), "p").stream().map(ConfigError::toString).toList();
  }

  private static java.util.List<Integer> statuses(RateLimitFilter filter, String client, int count) {
    java.util.List<Integer> statuses = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      statuses.add(verdict(filter, request(client, null)) instanceof FilterVerdict.Reply reply ? reply.status() : 0);
    }
    return statuses;
  }

  static FilterRequest request(String client, String apiKey) {
    return new FilterRequest() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String path() {
        return "/";
      }

      @Override
      public String header(String name) {
        return name.equalsIgnoreCase("x-api-key") ? apiKey : null;
      }

      @Override
      public String clientAddress() {
        return client;
      }

      @Override
      public String route() {
        return "r";
      }

      @Override
      public void setHeader(String name, String value) {
      }

      @Override
      public void removeHeader(String name) {
      }
    };
  }
}
