package io.ringway.spi.config;

/**
 * Answers from config, without an upstream.
 *
 * @param status HTTP status, 100..599 (default 200)
 * @param body response body, UTF-8; {@code null} or empty for none
 * @param contentType {@code Content-Type} of the body (default {@code text/plain; charset=utf-8})
 */
public record DirectResponseAction(int status, String body, String contentType) implements RouteAction {

  public static final String DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8";

  public DirectResponseAction {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " is outside 100..599");
    }
    if (contentType == null) {
      contentType = DEFAULT_CONTENT_TYPE;
    }
  }
}
