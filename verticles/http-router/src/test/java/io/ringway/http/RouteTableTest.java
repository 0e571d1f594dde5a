package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.http.impl.Route;
import io.ringway.http.impl.RouteRequest;
import io.ringway.http.impl.RouteTable;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.FieldMatch;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  private static RouteConfig route(String name, RouteMatch match) {
    return new RouteConfig(name, match, new DirectResponseAction(200, name, null));
  }

  private static RouteMatch hosts(String... hosts) {
    return new RouteMatch(List.of(hosts), null, List.of(), List.of(), List.of());
  }

  private static RouteRequest get(String host, String path) {
    return new RouteRequest("GET", host, path, MultiMap.caseInsensitiveMultiMap(), MultiMap.caseInsensitiveMultiMap());
  }

  private static String matched(RouteTable table, RouteRequest request) {
    Route route = table.match(request);
    return route == null ? null : route.name();
  }

  @Test
  void hostExactAndWildcardSuffix() {
    RouteTable table = RouteTable.compile(List.of(route("exact", hosts("api.example.com")),
        route("wild", hosts("*.example.com"))));
    assertThat(matched(table, get("api.example.com", "/"))).isEqualTo("exact");
    assertThat(matched(table, get("www.example.com", "/"))).isEqualTo("wild");
    assertThat(matched(table, get("a.b.example.com", "/"))).isEqualTo("wild");
    assertThat(matched(table, get("example.com", "/"))).isNull();
    assertThat(matched(table, get("evil-example.com", "/"))).isNull();
  }

  @Test
  void pathExactPrefixRegex() {
    RouteTable table = RouteTable.compile(List.of(route("exact", RouteMatch.path(PathMatch.exact("/a"))),
        route("prefix", RouteMatch.path(PathMatch.prefix("/api/"))),
        route("regex", RouteMatch.path(PathMatch.regex("/users/[0-9]+")))));
    assertThat(matched(table, get("h", "/a"))).isEqualTo("exact");
    assertThat(matched(table, get("h", "/a/b"))).isNull();
    assertThat(matched(table, get("h", "/api/x"))).isEqualTo("prefix");
    assertThat(matched(table, get("h", "/users/42"))).isEqualTo("regex");
    assertThat(matched(table, get("h", "/users/42/x"))).isNull();
  }

  @Test
  void methodHeadersAndQuery() {
    RouteMatch match = new RouteMatch(List.of(), null, List.of("POST"),
        List.of(FieldMatch.present("x-canary"), FieldMatch.exact("x-env", "prod"), FieldMatch.regex("x-ver", "v[23]")),
        List.of(FieldMatch.exact("debug", "1")));
    RouteTable table = RouteTable.compile(List.of(route("strict", match), route("fallback", RouteMatch.ANY)));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Canary", "").add("x-env", "prod").add("x-ver", "v3");
    MultiMap query = MultiMap.caseInsensitiveMultiMap().add("debug", "1");
    assertThat(matched(table, new RouteRequest("POST", "h", "/", headers, query))).isEqualTo("strict");
    assertThat(matched(table, new RouteRequest("GET", "h", "/", headers, query))).isEqualTo("fallback");
    assertThat(matched(table, new RouteRequest("POST", "h", "/", headers.set("x-ver", "v4"), query)))
        .isEqualTo("fallback");
    headers.set("x-ver", "v2");
    assertThat(matched(table, new RouteRequest("POST", "h", "/", headers, MultiMap.caseInsensitiveMultiMap())))
        .isEqualTo("fallback");
    assertThat(matched(table, new RouteRequest("POST", "h", "/", headers.remove("x-canary"), query)))
        .isEqualTo("fallback");
  }

  @Test
  void firstMatchWins() {
    RouteTable table = RouteTable.compile(List.of(route("first", RouteMatch.path(PathMatch.prefix("/"))),
        route("second", RouteMatch.path(PathMatch.exact("/x")))));
    assertThat(matched(table, get("h", "/x"))).isEqualTo("first");
  }
}
