package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.Future;

/** One kind of active health probe. */
interface Probe {

  /** Succeeds when the endpoint passed; fails with the reason it did not. */
  Future<Void> run(Endpoint endpoint);

  /** Releases the probe's clients. */
  Future<Void> close();
}
