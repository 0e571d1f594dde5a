package io.ringway.tcp.impl;

/** A PROXY protocol header that is malformed, too long or unsupported; the message says which. */
public final class ProxyProtocolException extends Exception {

  public ProxyProtocolException(String reason) {
    super(reason, null, false, false);
  }
}
