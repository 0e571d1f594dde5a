package io.ringway.config.impl;

import io.ringway.config.PluginCatalog;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.FilterConfig;
import io.ringway.spi.http.HttpFilterFactory;
import io.vertx.core.json.JsonObject;
import io.ringway.spi.config.EventBusAction;
import io.ringway.spi.config.FieldMatch;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HeaderRewrite;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RedirectAction;
import io.ringway.spi.config.RouteAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RetryBudget;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.WeightedCluster;
import io.ringway.spi.ConfigError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of {@code http.routes}: what it matches, one action, and its policy.
 * <pre>
 * - name: api
 *   match:
 *     hosts: [api.example.com, "*.api.example.com"]
 *     path: {prefix: /v1}                 # or exact: / regex:
 *     methods: [GET, POST]
 *     headers: [{name: x-canary, exact: "1"}]   # or present: true / regex:
 *     query: [{name: debug, present: true}]
 *   # exactly one action:
 *   target: api                           # a cluster, or eventbus:&lt;address&gt;
 *   clusters: [{cluster: api, weight: 90}, {cluster: api-next, weight: 10}]
 *   redirect: {status: 301, scheme: https, host: example.com, path: /new}
 *   directResponse: {status: 200, body: "ok", contentType: text/plain}
 *   prefixRewrite: /                      # with target/clusters
 *   hostRewrite: internal.example.com
 *   timeout: 15s
 *   perTryTimeout: 5s
 *   retries: 1
 *   retryNonIdempotent: false
 *   retryBudget: {percent: 50, minConcurrent: 32}  # retries in flight: max(minConcurrent, percent% of requests)
 *   requestHeaders: {set: {x-env: prod}, remove: [x-debug]}
 *   responseHeaders: {set: {}, remove: [server]}
 *   filters:                              # HTTP filter plugins, run in order before the action
 *     - rate-limit: {requestsPerSecond: 100, burst: 200, key: client}
 * </pre>
 */
final class RouteSection {

  private static final List<String> ACTIONS = List.of("target", "clusters", "redirect", "directResponse");
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private RouteSection() {
  }

  /**
   * The route, or null when it has no usable name or action (the errors say why). {@code seenNames} maps each
   * route name read so far to its path, so a duplicate is reported even when the first route had other errors.
   */
  static RouteConfig read(ConfigReader route, List<String> clusters, Map<String, String> seenNames,
                          PluginCatalog catalog) {
    String name = route.string("name", null);
    if (name == null) {
      route.fail("name", "required");
    } else if (seenNames.putIfAbsent(name, route.pathOf("name")) != null) {
      route.fail("name", "duplicate route \"" + name + "\" (already at " + seenNames.get(name) + ")");
      name = null;
    }
    RouteMatch match = match(route.object("match"));
    RouteAction action = action(route, clusters);
    RoutePolicy policy = policy(route);
    List<FilterConfig> filters = filters(route, catalog);
    route.rejectUnknownKeys();
    return name == null || action == null ? null : new RouteConfig(name, match, action, policy, filters);
  }

  /** {@code filters: [{rate-limit: {..}}, ..]}: each entry names one filter, whose factory checks its config. */
  private static List<FilterConfig> filters(ConfigReader route, PluginCatalog catalog) {
    List<FilterConfig> filters = new ArrayList<>();
    for (ConfigReader entry : route.objects("filters")) {
      List<String> names = entry.names(catalog.filterNames());
      if (names.size() != 1) {
        entry.failAt(entry.path(), "expected one filter name with its config, such as "
            + "{rate-limit: {requestsPerSecond: 100}}, got " + (names.isEmpty() ? "none" : names) + " (known: "
            + String.join(", ", catalog.filterNames()) + ")");
        continue;
      }
      String name = names.getFirst();
      Optional<HttpFilterFactory> factory = catalog.filter(name);
      if (factory.isEmpty()) {
        entry.fail(name, "unknown filter \"" + name + "\" (known: " + String.join(", ", catalog.filterNames()) + ")");
        continue;
      }
      JsonObject checked = entry.foreignObject(name, factory.get()::validate);
      if (checked != null) {
        filters.add(new FilterConfig(name, checked));
      }
    }
    return filters;
  }

  private static RouteMatch match(ConfigReader match) {
    List<String> hosts = new ArrayList<>();
    for (ConfigReader.Item<String> host : match.strings("hosts", 0, List.of())) {
      String value = host.value().toLowerCase(Locale.ROOT);
      if (value.indexOf('*') >= 0 && !(value.startsWith("*.") && value.indexOf('*', 1) < 0)) {
        match.failAt(host.path(), "a wildcard is only allowed as a leading \"*.\", got \"" + host.value() + "\"");
      }
      hosts.add(value);
    }
    PathMatch path = null;
    if (match.has("path")) {
      ConfigReader pathReader = match.object("path");
      List<PathMatch> kinds = new ArrayList<>();
      for (PathMatch.Kind kind : PathMatch.Kind.values()) {
        String value = pathReader.optionalString(kind.name().toLowerCase(Locale.ROOT));
        if (value != null && (kind != PathMatch.Kind.REGEX || regex(pathReader, "regex", value))) {
          kinds.add(new PathMatch(kind, value));
        }
      }
      pathReader.rejectUnknownKeys();
      if (kinds.size() != 1) {
        match.fail("path", "expected exactly one of exact, prefix or regex");
      } else {
        path = kinds.getFirst();
      }
    }
    List<String> methods = match.strings("methods", 0, List.of()).stream()
        .map(item -> item.value().toUpperCase(Locale.ROOT)).toList();
    return new RouteMatch(hosts, path, methods, fields(match, "headers"), fields(match, "query"));
  }

  private static List<FieldMatch> fields(ConfigReader match, String key) {
    List<FieldMatch> fields = new ArrayList<>();
    for (ConfigReader field : match.objects(key)) {
      String name = field.string("name", null);
      boolean present = field.bool("present", false);
      String exact = field.optionalString("exact");
      String regex = field.optionalString("regex");
      field.rejectUnknownKeys();
      int given = (present ? 1 : 0) + (exact != null ? 1 : 0) + (regex != null ? 1 : 0);
      if (name == null) {
        field.fail("name", "required");
      } else if (given != 1) {
        field.fail("name", "expected exactly one of present: true, exact or regex");
      } else if (regex != null) {
        if (regex(field, "regex", regex)) {
          fields.add(new FieldMatch(name, FieldMatch.Kind.REGEX, regex));
        }
      } else {
        fields.add(new FieldMatch(name, exact != null ? FieldMatch.Kind.EXACT : FieldMatch.Kind.PRESENT, exact));
      }
    }
    return fields;
  }

  private static boolean regex(ConfigReader reader, String key, String regex) {
    try {
      Pattern.compile(regex);
      return true;
    } catch (PatternSyntaxException e) {
      reader.fail(key, "not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
      return false;
    }
  }

  private static RouteAction action(ConfigReader route, List<String> clusters) {
    List<String> given = ACTIONS.stream().filter(route::has).toList();
    String prefixRewrite = route.optionalString("prefixRewrite");
    String hostRewrite = route.optionalString("hostRewrite");
    if (given.size() != 1) {
      route.fail("target", given.isEmpty()
          ? "a route needs one action: target, clusters, redirect or directResponse"
          : "a route takes one action, got " + String.join(" and ", given));
      return null;
    }
    return switch (given.getFirst()) {
      case "target" -> target(route, clusters, prefixRewrite, hostRewrite);
      case "clusters" -> weighted(route, clusters, prefixRewrite, hostRewrite);
      case "redirect" -> redirect(route.object("redirect"));
      default -> directResponse(route.object("directResponse"));
    };
  }

  private static RouteAction target(ConfigReader route, List<String> clusters, String prefixRewrite, String hostRewrite) {
    String target = route.string("target", null);
    if (target == null) {
      return null;
    }
    if (target.startsWith(EventBusAction.SCHEME)) {
      String address = target.substring(EventBusAction.SCHEME.length());
      if (address.isBlank()) {
        route.fail("target", "expected eventbus:<address>, got \"" + target + "\"");
        return null;
      }
      return new EventBusAction(address);
    }
    if (!known(route, "target", target, clusters)) {
      return null;
    }
    return new ForwardAction(List.of(new WeightedCluster(target, 1)), prefixRewrite, hostRewrite);
  }

  private static RouteAction weighted(ConfigReader route, List<String> clusters, String prefixRewrite, String hostRewrite) {
    List<WeightedCluster> weighted = new ArrayList<>();
    for (ConfigReader entry : route.objects("clusters")) {
      String cluster = entry.string("cluster", null);
      int weight = entry.integer("weight", 0, 10_000, 1);
      entry.rejectUnknownKeys();
      if (cluster == null) {
        entry.fail("cluster", "required");
      } else if (known(entry, "cluster", cluster, clusters)) {
        weighted.add(new WeightedCluster(cluster, weight));
      }
    }
    if (weighted.isEmpty()) {
      route.fail("clusters", "expected at least one {cluster, weight}");
      return null;
    }
    if (weighted.stream().mapToInt(WeightedCluster::weight).sum() == 0) {
      route.fail("clusters", "the weights add up to 0: no request could be sent anywhere");
      return null;
    }
    return new ForwardAction(weighted, prefixRewrite, hostRewrite);
  }

  private static boolean known(ConfigReader reader, String key, String cluster, List<String> clusters) {
    if (clusters.contains(cluster)) {
      return true;
    }
    reader.fail(key, "unknown cluster \"" + cluster + "\" (known: " + String.join(", ", clusters) + ")");
    return false;
  }

  private static RouteAction redirect(ConfigReader redirect) {
    int status = redirect.integer("status", 300, 399, RedirectAction.DEFAULT_STATUS);
    String scheme = redirect.optionalString("scheme");
    String host = redirect.optionalString("host");
    String path = redirect.optionalString("path");
    redirect.rejectUnknownKeys();
    if (!REDIRECTS.contains(status)) {
      redirect.fail("status", "expected 301, 302, 303, 307 or 308, got " + status);
      return null;
    }
    if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
      redirect.fail("scheme", "expected http or https, got \"" + scheme + "\"");
      return null;
    }
    return new RedirectAction(status, scheme, host, path);
  }

  private static RouteAction directResponse(ConfigReader response) {
    int status = response.integer("status", 100, 599, 200);
    String body = response.has("body") ? response.string("body", "") : null;
    String contentType = response.string("contentType", DirectResponseAction.DEFAULT_CONTENT_TYPE);
    response.rejectUnknownKeys();
    return new DirectResponseAction(status, body, contentType);
  }

  private static RoutePolicy policy(ConfigReader route) {
    Duration timeout = route.duration("timeout", Duration.ofMillis(1), Duration.ofHours(1), RoutePolicy.DEFAULT_TIMEOUT);
    Duration perTry = route.has("perTryTimeout")
        ? route.duration("perTryTimeout", Duration.ofMillis(1), Duration.ofHours(1), timeout) : null;
    int retries = route.integer("retries", 0, 10, RoutePolicy.DEFAULT_RETRIES);
    boolean retryNonIdempotent = route.bool("retryNonIdempotent", false);
    return new RoutePolicy(timeout, perTry, retries, retryNonIdempotent,
        headers(route, "requestHeaders"), headers(route, "responseHeaders"), retryBudget(route));
  }

  private static RetryBudget retryBudget(ConfigReader route) {
    if (!route.has("retryBudget")) {
      return RetryBudget.DEFAULT;
    }
    ConfigReader budget = route.object("retryBudget");
    int percent = budget.integer("percent", 0, 100, RetryBudget.DEFAULT.percent());
    int minConcurrent = budget.integer("minConcurrent", 0, 1_000_000, RetryBudget.DEFAULT.minConcurrent());
    budget.rejectUnknownKeys();
    return new RetryBudget(percent, minConcurrent);
  }

  /**
   * Fields a rewrite may not set: ones that frame the message or belong to one connection (RFC 9110 §7.6.1,
   * RFC 9113 §8.2.2), which the proxy writes itself; and names or values a header cannot hold.
   */
  private static final java.util.Set<String> FRAMING = java.util.Set.of("connection", "keep-alive",
      "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "http2-settings", "content-length", "host");

  private static String headerProblem(String name, Object value) {
    if (!(value instanceof String text)) {
      return "expected a string header value, got " + ConfigReader.describe(value);
    }
    if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0)) {
      return "not a valid header name (RFC 9110 §5.1: a token)";
    }
    if (FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
      return "cannot be set: the proxy writes this field itself (framing or connection-specific, RFC 9110 §7.6.1)";
    }
    if (text.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      return "a header value cannot hold CR, LF or NUL";
    }
    return null;
  }

  private static HeaderRewrite headers(ConfigReader route, String key) {
    if (!route.has(key)) {
      return HeaderRewrite.NONE;
    }
    ConfigReader rewrite = route.object(key);
    Map<String, String> set = new HashMap<>();
    var values = rewrite.foreignObject("set", (json, path) -> json.fieldNames().stream()
        .map(name -> headerProblem(name, json.getValue(name)) == null ? null
            : new ConfigError(path + "." + name, headerProblem(name, json.getValue(name))))
        .filter(java.util.Objects::nonNull)
        .toList());
    if (values != null) {
      values.fieldNames().stream().filter(name -> headerProblem(name, values.getValue(name)) == null)
          .forEach(name -> set.put(name.toLowerCase(Locale.ROOT), values.getString(name)));
    }
    List<String> remove = rewrite.strings("remove", 0, List.of()).stream()
        .map(item -> item.value().toLowerCase(Locale.ROOT)).toList();
    rewrite.rejectUnknownKeys();
    return new HeaderRewrite(set, remove);
  }
}
