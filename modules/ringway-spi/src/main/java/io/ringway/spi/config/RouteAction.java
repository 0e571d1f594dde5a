package io.ringway.spi.config;

/**
 * What a matched route does; config gives exactly one of {@code forward}, {@code redirect},
 * {@code directResponse} or {@code target: eventbus:<address>}.
 */
public sealed interface RouteAction permits ForwardAction, RedirectAction, DirectResponseAction, EventBusAction {
}
