package io.ringway.tcp.impl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** TLS ClientHello records built by hand, for the SNI peek's tests. */
public final class ClientHellos {

  private ClientHellos() {
  }

  /** A TLS 1.2-style ClientHello handshake message naming {@code serverName}, with {@code padding} extra bytes. */
  public static byte[] clientHello(String serverName, int padding) {
    byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    writeShort(extensions, 0);                       // server_name
    writeShort(extensions, name.length + 5);
    writeShort(extensions, name.length + 3);
    extensions.write(0);                             // host_name
    writeShort(extensions, name.length);
    extensions.writeBytes(name);
    writeShort(extensions, 21);                      // padding (RFC 7685)
    writeShort(extensions, padding);
    extensions.writeBytes(new byte[padding]);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeShort(body, 0x0303);
    body.writeBytes(new byte[32]);                   // random
    body.write(0);                                   // session id
    writeShort(body, 2);
    writeShort(body, 0x1301);                        // TLS_AES_128_GCM_SHA256
    body.write(1);
    body.write(0);                                   // null compression
    writeShort(body, extensions.size());
    body.writeBytes(extensions.toByteArray());
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    message.write(1);                                // client_hello
    message.write(body.size() >> 16);
    message.write(body.size() >> 8);
    message.write(body.size());
    message.writeBytes(body.toByteArray());
    return splitIntoRecords(message.toByteArray(), 16_384);
  }

  /** {@code handshake} (a record's payload, or whole records' payloads) as TLS handshake records of at most {@code size}. */
  public static byte[] splitIntoRecords(byte[] bytes, int size) {
    byte[] handshake = bytes[0] == 22 ? unwrap(bytes) : bytes;
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    for (int at = 0; at < handshake.length; at += size) {
      int length = Math.min(size, handshake.length - at);
      records.write(22);
      writeShort(records, 0x0301);
      writeShort(records, length);
      records.write(handshake, at, length);
    }
    return records.toByteArray();
  }

  private static byte[] unwrap(byte[] records) {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    for (int at = 0; at < records.length; ) {
      int length = (records[at + 3] & 0xff) << 8 | records[at + 4] & 0xff;
      payload.write(records, at + 5, length);
      at += 5 + length;
    }
    return payload.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, int value) {
    out.write(value >> 8);
    out.write(value);
  }
}
