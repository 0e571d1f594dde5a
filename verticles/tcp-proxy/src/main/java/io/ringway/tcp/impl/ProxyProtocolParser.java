package io.ringway.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one PROXY protocol header (HAProxy's spec, v1 text or v2 binary) from the start of a
 * connection, as bytes arrive: a header split over any number of reads parses the same. It takes
 * exactly the header's bytes and leaves what follows for the caller. Strict: the first byte that
 * cannot belong to a valid header fails it, and no header may exceed the size bound. One instance
 * per connection; not thread-safe.
 *
 * <p>Ours rather than Netty's {@code HAProxyMessageDecoder}: that one is a pipeline handler with a
 * fixed 64 KiB bound and no timeout, and would sit ahead of Vert.x's handler; this one is a plain
 * class fed from the connection's message handler, with the bound a listener chooses.
 */
public final class ProxyProtocolParser {

  /** The longest v1 line the spec allows, CRLF included. */
  public static final int V1_MAX_BYTES = 107;
  /** Default bound on a whole header: room for addresses and the TLVs load balancers commonly add. */
  public static final int DEFAULT_MAX_BYTES = 4096;

  static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  static final int V2_FIXED_BYTES = 16;

  private final int maxBytes;
  private byte[] header = new byte[V2_FIXED_BYTES * 2];
  private int length;
  /** 0 until the first byte says which version. */
  private int version;
  /** A v2 header's full size once its fixed part is in; -1 before. */
  private int v2Total = -1;

  /** @param maxBytes bound on a v2 header, fixed part and TLVs included; v1 lines keep the spec's 107 */
  public ProxyProtocolParser(int maxBytes) {
    if (maxBytes < V2_FIXED_BYTES + 36) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " cannot hold a v2 IPv6 header");
    }
    this.maxBytes = maxBytes;
  }

  /** Bytes taken so far, for a caller that wants to say how far a bad header got. */
  public int consumed() {
    return length;
  }

  /**
   * Takes header bytes from {@code data}, advancing its reader index past them only.
   *
   * @return the header once complete; {@code null} while more bytes are needed
   * @throws ProxyProtocolException when the bytes cannot start or continue a valid header
   */
  public ProxyHeader feed(ByteBuf data) throws ProxyProtocolException {
    while (data.isReadable()) {
      if (version == 0) {
        byte first = data.getByte(data.readerIndex());
        if (first == V1_PREFIX[0]) {
          version = 1;
        } else if (first == V2_SIGNATURE[0]) {
          version = 2;
        } else {
          throw new ProxyProtocolException("not a PROXY protocol header (first byte 0x"
              + Integer.toHexString(first & 0xff) + ")");
        }
      }
      ProxyHeader done = version == 1 ? feedV1(data) : feedV2(data);
      if (done != null) {
        return done;
      }
    }
    return null;
  }

  private ProxyHeader feedV1(ByteBuf data) throws ProxyProtocolException {
    // Byte by byte: the line is at most 107 bytes, and nothing after its LF may be taken.
    while (data.isReadable()) {
      byte b = data.readByte();
      append(b);
      if (length <= V1_PREFIX.length && b != V1_PREFIX[length - 1]) {
        throw new ProxyProtocolException("not a PROXY protocol header (v1 must start with \"PROXY \")");
      }
      if (b == '\n') {
        if (length < 2 || header[length - 2] != '\r') {
          throw new ProxyProtocolException("v1 header: LF without CR");
        }
        return ProxyLineV1.parse(new String(header, V1_PREFIX.length, length - V1_PREFIX.length - 2,
            StandardCharsets.US_ASCII));
      }
      if (length >= 2 && header[length - 2] == '\r') {
        throw new ProxyProtocolException("v1 header: CR not followed by LF");
      }
      if (length >= V1_MAX_BYTES) {
        throw new ProxyProtocolException("v1 header: no CRLF within " + V1_MAX_BYTES + " bytes");
      }
    }
    return null;
  }

  private ProxyHeader feedV2(ByteBuf data) throws ProxyProtocolException {
    while (data.isReadable() && length < V2_FIXED_BYTES) {
      byte b = data.readByte();
      append(b);
      if (length <= V2_SIGNATURE.length && b != V2_SIGNATURE[length - 1]) {
        throw new ProxyProtocolException("not a PROXY protocol header (bad v2 signature at byte " + (length - 1) + ")");
      }
    }
    if (length < V2_FIXED_BYTES) {
      return null;
    }
    if (v2Total < 0) {
      int declared = ((header[14] & 0xff) << 8) | (header[15] & 0xff);
      v2Total = V2_FIXED_BYTES + declared;
      if (v2Total > maxBytes) {
        throw new ProxyProtocolException("v2 header of " + v2Total + " bytes exceeds the limit of " + maxBytes);
      }
      header = Arrays.copyOf(header, v2Total);
    }
    int take = Math.min(data.readableBytes(), v2Total - length);
    data.readBytes(header, length, take);
    length += take;
    return length == v2Total ? ProxyBlockV2.parse(header) : null;
  }

  private void append(byte b) {
    if (length == header.length) {
      header = Arrays.copyOf(header, header.length * 2);
    }
    header[length++] = b;
  }

  /** An address from a literal only: never a DNS lookup, which would block the event loop. */
  static InetAddress literal(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("address of " + bytes.length + " bytes", e);
    }
  }

  static byte[] ipBytes(String text) {
    return NetUtil.createByteArrayFromIpAddressString(text);
  }

  static InetSocketAddress socketAddress(byte[] ip, int port) {
    return new InetSocketAddress(literal(ip), port);
  }
}
