package io.ringway.http;

import io.ringway.spi.config.HttpListenerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Http2MalformedRequestTest} over TLS: the same raw frames on an h2 connection ALPN chose, where the
 * checks are installed after the TLS handler rather than by the h2c path.
 */
class TlsHttp2MalformedRequestTest extends Http2MalformedRequestTest {

  @TempDir
  static Path certificates;

  @Override
  HttpListenerConfig listener(int port) throws Exception {
    return RouterFixture.listener(port).withTls(TestCerts.selfSigned(certificates));
  }

  @Override
  RawH2 connect() throws java.io.IOException {
    try {
      return RawH2.overTls(fixture.port);
    } catch (java.io.IOException failed) {
      throw failed;
    } catch (Exception failed) {
      throw new java.io.IOException(failed);
    }
  }
}
