package io.ringway.http.impl;

import io.ringway.spi.config.FieldMatch;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteMatch;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** One route's {@link RouteMatch}, compiled once (regexes, lower-cased hosts) so matching allocates nothing. */
final class RouteMatcher {

  private final Set<String> exactHosts;
  /** {@code *.example.com} kept as {@code .example.com}: a suffix match then needs no extra check for the dot. */
  private final List<String> hostSuffixes;
  private final Predicate<String> path;
  private final Set<String> methods;
  private final List<Field> headers;
  private final List<Field> queryParams;

  RouteMatcher(RouteMatch match) {
    this.exactHosts = match.hosts().stream().filter(h -> !h.startsWith("*."))
        .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    this.hostSuffixes = match.hosts().stream().filter(h -> h.startsWith("*."))
        .map(h -> h.substring(1).toLowerCase(Locale.ROOT)).toList();
    this.path = compilePath(match.path());
    this.methods = match.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    this.headers = match.headers().stream().map(Field::new).toList();
    this.queryParams = match.queryParams().stream().map(Field::new).toList();
  }

  boolean matches(RouteRequest request) {
    return hostMatches(request.host())
        && (path == null || path.test(request.path()))
        && (methods.isEmpty() || methods.contains(request.method()))
        && (headers.isEmpty() || allMatch(headers, request.headers()))
        && (queryParams.isEmpty() || allMatch(queryParams, request.query()));
  }

  private boolean hostMatches(String host) {
    if (exactHosts.isEmpty() && hostSuffixes.isEmpty()) {
      return true;
    }
    if (exactHosts.contains(host)) {
      return true;
    }
    for (String suffix : hostSuffixes) {
      // "*.example.com" takes "a.example.com" but not "example.com" itself (Envoy's rule).
      if (host.length() > suffix.length() && host.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  private static Predicate<String> compilePath(PathMatch match) {
    if (match == null) {
      return null;
    }
    return switch (match.kind()) {
      case EXACT -> match.value()::equals;
      case PREFIX -> p -> p.startsWith(match.value());
      case REGEX -> Pattern.compile(match.value()).asMatchPredicate();
    };
  }

  private static boolean allMatch(List<Field> fields, MultiMap values) {
    for (Field field : fields) {
      if (!field.matches(values)) {
        return false;
      }
    }
    return true;
  }

  private static final class Field {
    private final String name;
    private final Predicate<String> value;

    Field(FieldMatch match) {
      this.name = match.name();
      this.value = switch (match.kind()) {
        case PRESENT -> v -> true;
        case EXACT -> match.value()::equals;
        case REGEX -> Pattern.compile(match.value()).asMatchPredicate();
      };
    }

    boolean matches(MultiMap values) {
      for (String v : values.getAll(name)) {
        if (value.test(v)) {
          return true;
        }
      }
      return false;
    }
  }
}
