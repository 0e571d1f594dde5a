package io.ringway.filter.jwt;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.Durations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code jwt} of one route.
 *
 * @param issuer the {@code iss} a token must carry, or null for any
 * @param audiences {@code aud} values of which a token must name one; empty for any
 * @param jwksFile a JWKS document on disk, or null
 * @param jwksUri a JWKS document at an http(s) URL, or null; exactly one of the two is set
 * @param refresh how often the key set is read again
 * @param leeway clock skew allowed on {@code exp}, {@code nbf} and {@code iat}
 * @param tokenHeader the header carrying {@code Bearer <token>} (lower case)
 * @param claimHeaders claim name to the header it is forwarded in (lower case); a client's own value of such a
 *     header is always removed
 */
record JwtConfig(String issuer, List<String> audiences, String jwksFile, String jwksUri, Duration refresh,
                 Duration leeway, String tokenHeader, Map<String, String> claimHeaders) {

  private static final Set<String> KEYS = Set.of("issuer", "audiences", "jwksFile", "jwksUri", "refresh", "leeway",
      "tokenHeader", "claimHeaders");
  private static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);
  private static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);

  static JwtConfig of(JsonObject json) {
    Map<String, String> claims = new LinkedHashMap<>();
    json.getJsonObject("claimHeaders", new JsonObject())
        .forEach(entry -> claims.put(entry.getKey(), ((String) entry.getValue()).toLowerCase(Locale.ROOT)));
    List<String> audiences = new ArrayList<>();
    json.getJsonArray("audiences", new JsonArray()).forEach(value -> audiences.add((String) value));
    return new JwtConfig(json.getString("issuer"), List.copyOf(audiences), json.getString("jwksFile"),
        json.getString("jwksUri"), duration(json.getString("refresh"), DEFAULT_REFRESH),
        duration(json.getString("leeway"), DEFAULT_LEEWAY),
        json.getString("tokenHeader", "authorization").toLowerCase(Locale.ROOT), Map.copyOf(claims));
  }

  static List<ConfigError> validate(JsonObject json, String path) {
    List<ConfigError> errors = new ArrayList<>();
    json.fieldNames().stream().filter(name -> !KEYS.contains(name)).sorted().forEach(name -> errors.add(
        new ConfigError(path + "." + name, "unknown key (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")")));
    boolean file = json.containsKey("jwksFile");
    boolean uri = json.containsKey("jwksUri");
    if (file == uri) {
      errors.add(new ConfigError(path, "expected exactly one of jwksFile or jwksUri"));
    }
    text(json, "issuer", path, errors);
    text(json, "jwksFile", path, errors);
    if (text(json, "jwksUri", path, errors) && !json.getString("jwksUri").matches("https?://[^\\s]+")) {
      errors.add(new ConfigError(path + ".jwksUri", "expected an http:// or https:// URL, got \""
          + json.getString("jwksUri") + "\""));
    }
    if (json.containsKey("audiences") && !(json.getValue("audiences") instanceof JsonArray list
        && list.stream().allMatch(value -> value instanceof String text && !text.isBlank()))) {
      errors.add(new ConfigError(path + ".audiences", "expected a list of non-empty strings"));
    }
    durationError(json, "refresh", Duration.ofSeconds(1), Duration.ofDays(1), path, errors);
    durationError(json, "leeway", Duration.ZERO, Duration.ofMinutes(10), path, errors);
    if (text(json, "tokenHeader", path, errors) && !isToken(json.getString("tokenHeader"))) {
      errors.add(new ConfigError(path + ".tokenHeader", "not a header name: \"" + json.getString("tokenHeader") + "\""));
    }
    if (json.containsKey("claimHeaders")) {
      if (!(json.getValue("claimHeaders") instanceof JsonObject claims)) {
        errors.add(new ConfigError(path + ".claimHeaders", "expected an object of claim: header-name"));
      } else {
        claims.forEach(entry -> {
          if (!(entry.getValue() instanceof String header && isToken(header))) {
            errors.add(new ConfigError(path + ".claimHeaders." + entry.getKey(), "expected a header name, got "
                + (entry.getValue() instanceof String text ? "\"" + text + "\"" : String.valueOf(entry.getValue()))));
          }
        });
      }
    }
    return errors;
  }

  private static boolean text(JsonObject json, String key, String path, List<ConfigError> errors) {
    Object value = json.getValue(key);
    if (value == null) {
      return false;
    }
    if (value instanceof String text && !text.isBlank()) {
      return true;
    }
    errors.add(new ConfigError(path + "." + key, "expected a non-empty string, got " + value));
    return false;
  }

  private static void durationError(JsonObject json, String key, Duration min, Duration max, String path,
                                    List<ConfigError> errors) {
    Object value = json.getValue(key);
    if (value == null) {
      return;
    }
    Duration parsed = value instanceof String text ? duration(text, null) : null;
    if (parsed == null || parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
      errors.add(new ConfigError(path + "." + key, "expected a duration from " + min.toSeconds() + "s to "
          + max.toSeconds() + "s such as 30s or 5m, got " + (value instanceof String text ? "\"" + text + "\"" : value)));
    }
  }

  private static Duration duration(String text, Duration fallback) {
    Duration parsed = text == null ? null : Durations.parse(text.trim());
    return parsed == null ? fallback : parsed;
  }

  private static boolean isToken(String name) {
    return !name.isEmpty() && name.chars().allMatch(c -> c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0);
  }
}
