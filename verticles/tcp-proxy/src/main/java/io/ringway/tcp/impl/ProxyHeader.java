package io.ringway.tcp.impl;

import java.net.InetSocketAddress;

/**
 * What a PROXY protocol header said about the connection it opened.
 *
 * @param version 1 (text) or 2 (binary)
 * @param local whether a v2 LOCAL command: the sender's own connection (a health check), so the
 *     socket's real addresses apply
 * @param source the original client, or {@code null} when the header carries no address (LOCAL,
 *     v1 UNKNOWN, v2 UNSPEC, UNIX or UDP)
 * @param destination the address the client connected to, {@code null} exactly when source is
 */
public record ProxyHeader(int version, boolean local, InetSocketAddress source, InetSocketAddress destination) {

  /** Whether the header names the original addresses. */
  public boolean hasAddresses() {
    return source != null;
  }
}
