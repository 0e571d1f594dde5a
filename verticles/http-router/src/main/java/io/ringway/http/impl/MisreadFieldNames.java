package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import java.util.function.IntUnaryOperator;

/**
 * Field names a Vert.x 5 server reads as another field. Its request decoder maps a name to Content-Length or
 * Content-Type by the name's length and all its bytes but the ninth, so {@code Content-Nength} (any byte in place of
 * the L) is a Content-Length to a Vert.x upstream, and a field of no meaning (RFC 9110 §5.1) to every other parser, the
 * router's included. Forwarded, it desyncs such an upstream from the router: the upstream takes the start of the next
 * request on the pooled connection, perhaps another client's, for this one's body (request smuggling). nginx and
 * HAProxy forward it; the router refuses the request (RFC 9110 §15.5.1), since no client means such a field.
 */
final class MisreadFieldNames {

  private MisreadFieldNames() {
  }

  /** The field a Vert.x server reads {@code name} as when that is not {@code name}, or null. */
  static String misreadAs(CharSequence name) {
    int length = name.length();
    // The length first: no accessor object for the names that cannot be one (nearly all).
    return length != 14 && length != 12 ? null : misreadAs(length, name::charAt);
  }

  /** As {@link #misreadAs(CharSequence)}, for the {@code length} bytes of a name at {@code at}. */
  static String misreadAs(ByteBuf b, int at, int length) {
    return length != 14 && length != 12 ? null : misreadAs(length, i -> b.getByte(at + i));
  }

  private static String misreadAs(int length, IntUnaryOperator byteAt) {
    String misread = length == 14 ? "Content-Length" : "Content-Type";
    if (byteAt.applyAsInt(0) != 'C' && byteAt.applyAsInt(0) != 'c'
        || Character.toLowerCase(byteAt.applyAsInt(8)) == Character.toLowerCase(misread.charAt(8))) {
      return null;
    }
    // Vert.x compares the rest byte for byte, in lower case.
    for (int i = 1; i < length; i++) {
      if (i != 8 && byteAt.applyAsInt(i) != Character.toLowerCase(misread.charAt(i))) {
        return null;
      }
    }
    return misread;
  }

  /** Why a request with the field {@code name}, which a Vert.x server reads as {@code misread}, is refused. */
  static String refusal(CharSequence name, String misread) {
    return "field " + name + " is read as " + misread + " by Vert.x servers (request smuggling): refused";
  }
}
