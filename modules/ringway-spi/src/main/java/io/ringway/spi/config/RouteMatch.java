package io.ringway.spi.config;

import java.util.List;

/**
 * What a route takes; every condition given must hold (an empty list is no condition).
 *
 * @param hosts the request's host (port stripped, case-insensitive) equals one of these, or ends with the
 *     suffix of a {@code *.suffix} entry; empty for any host
 * @param path the path condition, or {@code null} for any path
 * @param methods upper-case method names; empty for any method
 * @param headers header conditions, all required
 * @param queryParams query-parameter conditions, all required
 */
public record RouteMatch(List<String> hosts, PathMatch path, List<String> methods, List<FieldMatch> headers,
                         List<FieldMatch> queryParams) {

  /** Matches every request. */
  public static final RouteMatch ANY = new RouteMatch(List.of(), null, List.of(), List.of(), List.of());

  public RouteMatch {
    hosts = List.copyOf(hosts);
    methods = List.copyOf(methods);
    headers = List.copyOf(headers);
    queryParams = List.copyOf(queryParams);
  }

  /** Matches by path alone. */
  public static RouteMatch path(PathMatch path) {
    return new RouteMatch(List.of(), path, List.of(), List.of(), List.of());
  }
}
