package io.ringway.tcp.impl;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Finds the server name in a TLS ClientHello without terminating anything: reads the handshake records a client
 * sends first (RFC 8446 §5.1, §4.1.2; the hello may span several records), and the {@code server_name} extension
 * (RFC 6066 §3). Only reads: the bytes go on to the upstream as they came.
 */
final class ClientHelloSni {

  /** What the bytes so far say. */
  sealed interface Result permits NeedMore, Found, NoName, NotTls {
  }

  /** The hello is not complete yet. */
  record NeedMore() implements Result {
  }

  /** The hello names {@code serverName} (lower case). */
  record Found(String serverName) implements Result {
  }

  /** A whole hello without a (host name) server name. */
  record NoName() implements Result {
  }

  /** Not a TLS handshake, or a malformed one: {@code reason} says which. */
  record NotTls(String reason) implements Result {
  }

  private static final int HANDSHAKE = 22;
  private static final int CLIENT_HELLO = 1;
  private static final int SERVER_NAME = 0;
  private static final int HOST_NAME = 0;
  private static final int RECORD_HEADER = 5;
  private static final int MAX_RECORD = 16_384 + 256;

  private ClientHelloSni() {
  }

  /** Looks at {@code bytes} from its reader index without moving it. */
  static Result parse(ByteBuf bytes) {
    // Reassemble the handshake message from the records' fragments.
    int at = bytes.readerIndex();
    int end = bytes.writerIndex();
    byte[] handshake = new byte[0];
    int needed = -1;
    while (needed < 0 || handshake.length < needed) {
      if (end - at < RECORD_HEADER) {
        return new NeedMore();
      }
      int type = bytes.getUnsignedByte(at);
      int major = bytes.getUnsignedByte(at + 1);
      int length = bytes.getUnsignedShort(at + 3);
      if (type != HANDSHAKE || major != 3) {
        return new NotTls(at == bytes.readerIndex() ? "not a TLS handshake record" : "a record other than the hello's");
      }
      if (length == 0 || length > MAX_RECORD) {
        return new NotTls("a handshake record of " + length + " bytes");
      }
      if (end - at - RECORD_HEADER < length) {
        return new NeedMore();
      }
      byte[] joined = new byte[handshake.length + length];
      System.arraycopy(handshake, 0, joined, 0, handshake.length);
      bytes.getBytes(at + RECORD_HEADER, joined, handshake.length, length);
      handshake = joined;
      at += RECORD_HEADER + length;
      if (needed < 0 && handshake.length >= 4) {
        if (handshake[0] != CLIENT_HELLO) {
          return new NotTls("a handshake other than ClientHello");
        }
        needed = 4 + ((handshake[1] & 0xff) << 16 | (handshake[2] & 0xff) << 8 | (handshake[3] & 0xff));
      }
    }
    return serverName(handshake, needed);
  }

  /** The server name in a complete ClientHello message ({@code length} bytes of {@code hello}, header included). */
  private static Result serverName(byte[] hello, int length) {
    Reader in = new Reader(hello, 4, length);
    in.skip(2 + 32);                      // legacy_version, random
    in.skip(in.u8());                     // legacy_session_id
    in.skip(in.u16());                    // cipher_suites
    in.skip(in.u8());                     // legacy_compression_methods
    if (in.broken) {
      return new NotTls("a truncated ClientHello");
    }
    if (in.remaining() == 0) {
      return new NoName();                // no extensions at all (TLS 1.2 may omit them)
    }
    int extensionsLength = in.u16();
    int extensionsEnd = in.at + extensionsLength;
    if (extensionsEnd > in.end) {
      return new NotTls("ClientHello extensions longer than the hello");
    }
    while (!in.broken && in.at + 4 <= extensionsEnd) {
      int type = in.u16();
      int size = in.u16();
      int next = in.at + size;
      if (type == SERVER_NAME) {
        int listLength = in.u16();
        int listEnd = in.at + listLength;
        while (!in.broken && in.at + 3 <= listEnd) {
          int nameType = in.u8();
          int nameLength = in.u16();
          if (nameType == HOST_NAME && !in.broken && in.at + nameLength <= listEnd) {
            String name = new String(hello, in.at, nameLength, StandardCharsets.US_ASCII);
            return name.isEmpty() ? new NoName() : new Found(name.toLowerCase(java.util.Locale.ROOT));
          }
          in.skip(nameLength);
        }
        return in.broken ? new NotTls("a malformed server_name extension") : new NoName();
      }
      in.at = next;
    }
    return in.broken || in.at > length ? new NotTls("malformed ClientHello extensions") : new NoName();
  }

  /** Bounds-checked big-endian reads; a read past the end marks the message broken instead of throwing. */
  private static final class Reader {
    private final byte[] bytes;
    private final int end;
    int at;
    boolean broken;

    Reader(byte[] bytes, int at, int end) {
      this.bytes = bytes;
      this.at = at;
      this.end = Math.min(end, bytes.length);
    }

    int remaining() {
      return end - at;
    }

    int u8() {
      if (at + 1 > end) {
        broken = true;
        return 0;
      }
      return bytes[at++] & 0xff;
    }

    int u16() {
      if (at + 2 > end) {
        broken = true;
        return 0;
      }
      int value = (bytes[at] & 0xff) << 8 | (bytes[at + 1] & 0xff);
      at += 2;
      return value;
    }

    void skip(int count) {
      if (at + count > end) {
        broken = true;
        at = end;
      } else {
        at += count;
      }
    }
  }
}
