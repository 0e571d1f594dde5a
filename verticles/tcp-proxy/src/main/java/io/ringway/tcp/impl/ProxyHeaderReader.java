package io.ringway.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads the PROXY header a connection starts with, from the connection's messages, before any
 * upstream exists. Whatever the read that completed the header held beyond it is handed on, as it
 * is the first data of the stream.
 */
final class ProxyHeaderReader {

  /** Where the outcome goes; exactly one method is called, once. */
  interface Outcome {
    /** @param rest bytes after the header in the same read, or {@code null}; the callee owns it */
    void header(ProxyHeader header, ByteBuf rest);

    void rejected(String reason);
  }

  private final ProxyProtocolParser parser;
  private final Outcome outcome;
  private boolean done;

  ProxyHeaderReader(int maxBytes, Outcome outcome) {
    this.parser = new ProxyProtocolParser(maxBytes);
    this.outcome = outcome;
  }

  void onMessage(Object message) {
    if (done) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof ByteBuf bytes) {
      ProxyHeader header;
      try {
        header = parser.feed(bytes);
      } catch (ProxyProtocolException e) {
        bytes.release();
        reject(e.getMessage());
        return;
      }
      if (header == null) {
        bytes.release();
        return;
      }
      done = true;
      ByteBuf rest = bytes;
      if (!rest.isReadable()) {
        rest.release();
        rest = null;
      }
      outcome.header(header, rest);
    } else if (message == HalfCloseRelay.END_OF_INPUT) {
      reject("connection ended after " + parser.consumed() + " bytes of a PROXY header");
    } else {
      ReferenceCountUtil.release(message);
    }
  }

  /** The header took too long: called by the connection's timer. */
  void timedOut(long millis) {
    reject("no complete PROXY header within " + millis + " ms");
  }

  private void reject(String reason) {
    if (!done) {
      done = true;
      outcome.rejected(reason);
    }
  }
}
