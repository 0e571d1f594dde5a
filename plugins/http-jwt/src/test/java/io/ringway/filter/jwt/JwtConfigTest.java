package io.ringway.filter.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtConfigTest {

  @Test
  void readsEveryKeyWithDefaults() {
    JwtConfig config = JwtConfig.of(new JsonObject("{\"jwksFile\": \"/k.json\", \"claimHeaders\": {\"sub\": \"X-User\"}}"));

    assertThat(config).isEqualTo(new JwtConfig(null, List.of(), "/k.json", null, Duration.ofMinutes(5),
        Duration.ofSeconds(30), "authorization", Map.of("sub", "x-user")));
    assertThat(errors("{\"jwksUri\": \"https://idp.test/keys\", \"issuer\": \"i\", \"audiences\": [\"a\"], "
        + "\"refresh\": \"10m\", \"leeway\": \"0s\", \"tokenHeader\": \"x-token\"}")).isEmpty();
  }

  @Test
  void refusesBadConfigWithPaths() {
    assertThat(errors("{}")).containsExactly("p: expected exactly one of jwksFile or jwksUri");
    assertThat(errors("{\"jwksFile\": \"/k\", \"jwksUri\": \"http://x\"}"))
        .containsExactly("p: expected exactly one of jwksFile or jwksUri");
    assertThat(errors("{\"jwksUri\": \"ftp://x\", \"audiences\": \"api\", \"refresh\": \"0s\", \"leeway\": \"1d\", "
        + "\"claimHeaders\": {\"sub\": \"x user\"}, \"tokenHeader\": \"a:b\", \"key\": 1}")).containsExactly(
        "p.key: unknown key (known: audiences, claimHeaders, issuer, jwksFile, jwksUri, leeway, refresh, tokenHeader)",
        "p.jwksUri: expected an http:// or https:// URL, got \"ftp://x\"",
        "p.audiences: expected a list of non-empty strings",
        "p.refresh: expected a duration from 1s to 86400s such as 30s or 5m, got \"0s\"",
        "p.leeway: expected a duration from 0s to 600s such as 30s or 5m, got \"1d\"",
        "p.tokenHeader: not a header name: \"a:b\"",
        "p.claimHeaders.sub: expected a header name, got \"x user\"");
  }

  @Test
  void takesTheTokenOfABearerFieldOnly() {
    assertThat(JwtFilter.bearer("Bearer abc")).isEqualTo("abc");
    assertThat(JwtFilter.bearer("bearer  abc ")).isEqualTo("abc");
    assertThat(JwtFilter.bearer("Basic abc")).isNull();
    assertThat(JwtFilter.bearer("Bearer ")).isNull();
    assertThat(JwtFilter.bearer(null)).isNull();
  }

  private static List<String> errors(String json) {
    return JwtConfig.validate(new JsonObject(json), "p").stream().map(ConfigError::toString).toList();
  }
}
