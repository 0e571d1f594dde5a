package io.ringway.tun.impl;

/** Every {@link TunnelSessionTest} again, the handshake negotiating AES-256-GCM for the data. */
class TunnelSessionAesGcmTest extends TunnelSessionTest {

  @Override
  CipherSuite suite() {
    return CipherSuite.AES_256_GCM;
  }
}
