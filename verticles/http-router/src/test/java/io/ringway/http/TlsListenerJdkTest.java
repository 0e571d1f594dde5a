package io.ringway.http;

import io.ringway.spi.config.TlsConfig;

/** {@link TlsListenerTest} on the JDK's TLS engine. */
class TlsListenerJdkTest extends TlsListenerTest {

  @Override
  TlsConfig.Engine engine() {
    return TlsConfig.Engine.JDK;
  }
}
