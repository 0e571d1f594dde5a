package io.ringway.http.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestHeadGrammar#skipPlain} is a shortcut through {@link RequestHeadGrammar#next}: reading a head with it
 * must end at the same byte, with the same verdict and reason, as reading it one byte at a time, for any bytes.
 */
class RequestHeadGrammarTest {

  private static final String[] HEADS = {
      "GET /a/b?c=d&e HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
      "POST /echo HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\nx-tab:\tv a l u e\t\r\n\r\nhello",
      "\r\nHEAD /%7Euser HTTP/1.0\r\nX-Obs: caf\u00e9\r\n\r\n",
  };
  /** The bytes at the edges of every plain run, and some of the runs themselves. */
  private static final byte[] ALPHABET = {0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, '#', ':', '/', '?', 'a', 'Z',
      '~', 0x7E, 0x7F, (byte) 0x80, (byte) 0xE9, (byte) 0xFF, 'H', 'T', 'P', '1', '.'};

  @Test
  void skippingPlainRunsEndsWhereReadingByteByByteEnds() {
    SplittableRandom random = new SplittableRandom(17);
    int done = 0;
    int bad = 0;
    for (int n = 0; n < 40_000; n++) {
      byte[] head = mutate(HEADS[n % HEADS.length].getBytes(StandardCharsets.ISO_8859_1), random);
      String byteByByte = byteByByte(head);
      assertThat(withSkips(head)).as("head %s", Arrays.toString(head)).isEqualTo(byteByByte);
      done += byteByByte.startsWith("done") ? 1 : 0;
      bad += byteByByte.startsWith("bad") ? 1 : 0;
    }
    // Heads taken and heads refused are both well represented, so neither side of the comparison is vacuous.
    assertThat(done).isGreaterThan(5_000);
    assertThat(bad).isGreaterThan(5_000);
  }

  @Test
  void aPlainRunStopsAtTheFirstByteThatEndsIt() {
    RequestHeadGrammar grammar = new RequestHeadGrammar();
    ByteBuf head = Unpooled.copiedBuffer("GET /path HTTP/1.1\r\nName: v\u007f\r\n", StandardCharsets.ISO_8859_1);
    RequestHeadGrammar fragment = new RequestHeadGrammar();
    ByteBuf withFragment = Unpooled.copiedBuffer("GET /a#", StandardCharsets.ISO_8859_1);
    try {
      assertThat(grammar.skipPlain(head, 0, head.writerIndex())).as("no run before the target").isZero();
      feed(grammar, head, 0, 5);
      assertThat(grammar.skipPlain(head, 5, head.writerIndex())).as("the target stops at SP").isEqualTo(9);
      feed(grammar, head, 5, 21);
      assertThat(grammar.skipPlain(head, 21, head.writerIndex())).as("the name stops at ':'").isEqualTo(24);
      feed(grammar, head, 21, 26);
      assertThat(grammar.skipPlain(head, 26, head.writerIndex())).as("the value stops at DEL").isEqualTo(27);
      assertThat(grammar.skipPlain(head, 26, 26)).as("nothing past its limit").isEqualTo(26);
      feed(fragment, withFragment, 0, 5);
      assertThat(fragment.skipPlain(withFragment, 5, withFragment.writerIndex())).as("the target stops at '#'")
          .isEqualTo(6);
    } finally {
      head.release();
      withFragment.release();
    }
  }

  private static void feed(RequestHeadGrammar grammar, ByteBuf bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      assertThat(grammar.next(bytes.getByte(i))).isEqualTo(RequestHeadGrammar.MORE);
    }
  }

  private static String byteByByte(byte[] head) {
    RequestHeadGrammar grammar = new RequestHeadGrammar();
    for (int i = 0; i < head.length; i++) {
      int verdict = grammar.next(head[i]);
      if (verdict != RequestHeadGrammar.MORE) {
        return outcome(verdict, i, grammar);
      }
    }
    return "more";
  }

  private static String withSkips(byte[] head) {
    RequestHeadGrammar grammar = new RequestHeadGrammar();
    ByteBuf bytes = Unpooled.wrappedBuffer(head);
    for (int i = 0; i < head.length; i++) {
      int from = i;
      i = grammar.skipPlain(bytes, i, head.length);
      for (int skipped = from; skipped < i; skipped++) {
        assertThat(head[skipped]).as("a line feed is never skipped").isNotEqualTo((byte) '\n');
      }
      if (i == head.length) {
        break;
      }
      int verdict = grammar.next(head[i]);
      if (verdict != RequestHeadGrammar.MORE) {
        return outcome(verdict, i, grammar);
      }
    }
    return "more";
  }

  private static String outcome(int verdict, int at, RequestHeadGrammar grammar) {
    return (verdict == RequestHeadGrammar.DONE ? "done" : "bad: " + grammar.reason()) + " at " + at;
  }

  /** One to four random edits (replace, insert, delete) of bytes from the alphabet. */
  private static byte[] mutate(byte[] head, SplittableRandom random) {
    byte[] out = head;
    for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
      int at = random.nextInt(out.length);
      byte b = ALPHABET[random.nextInt(ALPHABET.length)];
      switch (random.nextInt(3)) {
        case 0 -> {
          out = out.clone();
          out[at] = b;
        }
        case 1 -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = b;
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
        default -> {
          if (out.length > 1) {
            byte[] shorter = new byte[out.length - 1];
            System.arraycopy(out, 0, shorter, 0, at);
            System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
            out = shorter;
          }
        }
      }
    }
    return out;
  }
}
