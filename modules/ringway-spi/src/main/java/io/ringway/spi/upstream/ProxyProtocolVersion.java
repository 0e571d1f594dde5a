package io.ringway.spi.upstream;

/**
 * Which PROXY protocol header (HAProxy's spec) a cluster's upstream connections start with, so the
 * backend learns the client's address rather than the proxy's.
 */
public enum ProxyProtocolVersion {
  /** No header: the backend sees the proxy as the client. */
  NONE,
  /** The human-readable text form ({@code PROXY TCP4 ...\r\n}). */
  V1,
  /** The binary form, cheaper to parse and able to carry TLVs. */
  V2
}
