package io.ringway.spi.config;

import java.util.Objects;

/**
 * {@code target: eventbus:<address>}: sends the request as a JSON message
 * {@code {method, path, query, headers, body}} (body as a UTF-8 string) and turns the reply
 * {@code {status, headers, body}} (or a plain string body) into the response. No handler → 503;
 * no reply within the route's {@link RoutePolicy#timeout()} → 504.
 *
 * @param address the event-bus address, without the {@code eventbus:} prefix
 */
public record EventBusAction(String address) implements RouteAction {

  public static final String SCHEME = "eventbus:";

  public EventBusAction {
    Objects.requireNonNull(address, "address");
    if (address.isBlank()) {
      throw new IllegalArgumentException("address: must not be blank");
    }
  }
}
