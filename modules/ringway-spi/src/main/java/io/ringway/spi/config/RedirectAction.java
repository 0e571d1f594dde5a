package io.ringway.spi.config;

/**
 * Answers with a redirect to the request's URL with some parts replaced; the query is kept.
 *
 * @param status 301, 302, 303, 307 or 308 (default 302)
 * @param scheme new scheme, or {@code null} to keep the request's
 * @param host new host (may carry a port), or {@code null} to keep the request's
 * @param path new path, or {@code null} to keep the request's
 */
public record RedirectAction(int status, String scheme, String host, String path) implements RouteAction {

  public static final int DEFAULT_STATUS = 302;

  public RedirectAction {
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
      throw new IllegalArgumentException("status: " + status + " is not a redirect (301, 302, 303, 307, 308)");
    }
  }
}
