package io.ringway.spi.http;

import io.vertx.core.Future;
import java.util.Map;
import java.util.Objects;

/** What a filter decided about a request. */
public sealed interface FilterVerdict {

  /** Hand the request to the next filter, then to the route's action. */
  FilterVerdict CONTINUE = new Continue();

  /** {@link #CONTINUE} as the completed future {@link HttpFilter#onRequest} returns. */
  Future<FilterVerdict> PROCEED = Future.succeededFuture(CONTINUE);

  /** See {@link #CONTINUE}. */
  record Continue() implements FilterVerdict {
  }

  /**
   * Answer the request here, without reading its body; the connection stays usable.
   *
   * @param status the status, 400 to 599
   * @param headers headers of the answer ({@code retry-after}, {@code www-authenticate}); framing is the router's
   * @param reason a short text body, also what the access log shows
   */
  record Reply(int status, Map<String, String> headers, String reason) implements FilterVerdict {

    public Reply {
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("a filter answers with an error status, 400 to 599, not " + status);
      }
      headers = Map.copyOf(headers);
      Objects.requireNonNull(reason, "reason");
    }
  }
}
