package io.ringway.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringway.spi.upstream.ProxyProtocolVersion;
import io.ringway.testkit.fuzz.Fuzzer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutated PROXY headers (seeds in {@code src/test/resources/fuzz/proxy-protocol/}) fed to the parser
 * whole and split into random reads, and to the header reader as the connection's direct buffers.
 * The properties hold for any input: the only exception is {@link ProxyProtocolException}; a split
 * never changes the verdict; a header takes exactly its own bytes (at most 107 for v1); what it says
 * survives the encoder and parser again; and every buffer the reader was given ends released.
 * The build runs with Netty's paranoid leak detection (this module's surefire argLine).
 */
class ProxyProtocolFuzzTest {

  private static final int MAX_BYTES = ProxyProtocolParser.DEFAULT_MAX_BYTES;

  /** What one feeding gave: a header and how many bytes it took, or the rejection's message. */
  private record Verdict(ProxyHeader header, int taken, String rejection) {
    String outcome() {
      if (header == null) {
        // Up to the first quoted field, numbers stripped: "port 7" and "port 8" are the same kind of rejection.
        return "rejected " + (rejection == null ? "incomplete"
            : rejection.split("\"", 2)[0].replaceAll("0x[0-9a-f]+|\\d+", "#"));
      }
      return "v" + header.version() + (header.local() ? " local" : "") + (header.hasAddresses() ? " addresses" : " none")
          + (header.hasAddresses() ? " " + header.source().getAddress().getClass().getSimpleName() : "");
    }
  }

  @Test
  void anyInputGivesAHeaderOrAReasonTheSameHoweverSplit() {
    Fuzzer.Report report = Fuzzer.target("proxy-protocol")
        .seed(ProxyProtocolEncoder.v2(null, null))
        .dictionary("PROXY ", "TCP4 ", "TCP6 ", "UNKNOWN", "\r\n", " ", "::", "::ffff:", "1.2.3.4", "255.255.255.255",
            "0", "00", "65535", "65536", "%eth0", "[", "]",
            "\r\n\r\n\u0000\r\nQUIT\n", "\u0021\u0011", "\u0020\u0000", "\u0021\u0021", "\u0021\u0031", "\u0000\u0000",
            "\u0004\u0000\u0001x", "\u00ff\u00ff")
        .maxLength(600)
        .run(ProxyProtocolFuzzTest::check);
    System.out.println(report);
  }

  private static String check(byte[] input, SplittableRandom random) throws Exception {
    Verdict whole = feed(input, new int[0]);
    int[] cuts = random.ints(random.nextInt(Math.min(8, input.length) + 1), 1, Math.max(2, input.length))
        .filter(cut -> cut < input.length).distinct().sorted().toArray();
    Verdict split = feed(input, cuts);
    assertThat(split).as("split at %s", Arrays.toString(cuts)).isEqualTo(whole);
    if (whole.header() != null) {
      checkHeader(input, whole);
    }
    checkReaderReleasesEverything(input, cuts, whole);
    return whole.outcome();
  }

  /** Feeds {@code input} cut at {@code cuts}, as separate reads, into one parser. */
  private static Verdict feed(byte[] input, int[] cuts) {
    ProxyProtocolParser parser = new ProxyProtocolParser(MAX_BYTES);
    int from = 0;
    int taken = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : input.length;
      ByteBuf read = Unpooled.wrappedBuffer(input, from, to - from);
      try {
        ProxyHeader header = parser.feed(read);
        taken += read.readerIndex();
        if (header != null) {
          return new Verdict(header, taken, null);
        }
        assertThat(read.isReadable()).as("a parser wanting more takes the whole read").isFalse();
      } catch (ProxyProtocolException e) {
        assertThat(e.getMessage()).isNotBlank();
        return new Verdict(null, 0, e.getMessage());
      }
      from = to;
    }
    return new Verdict(null, 0, null);
  }

  private static void checkHeader(byte[] input, Verdict verdict) throws ProxyProtocolException {
    ProxyHeader header = verdict.header();
    assertThat(header.source() == null).as("source and destination both or neither").isEqualTo(header.destination() == null);
    if (header.version() == 1) {
      assertThat(verdict.taken()).as("v1 line length").isLessThanOrEqualTo(ProxyProtocolParser.V1_MAX_BYTES);
      assertThat(input[verdict.taken() - 1]).isEqualTo((byte) '\n');
      assertThat(header.local()).isFalse();
    } else {
      assertThat(verdict.taken()).isEqualTo(16 + ((input[14] & 0xff) << 8 | (input[15] & 0xff)));
    }
    if (header.hasAddresses()) {
      // What we read, we can say again: the encoder's header parses back to the same addresses.
      ProxyProtocolVersion version = header.version() == 1 ? ProxyProtocolVersion.V1 : ProxyProtocolVersion.V2;
      byte[] again = ProxyProtocolEncoder.encode(version, header.source(), header.destination());
      ProxyHeader reparsed = new ProxyProtocolParser(MAX_BYTES).feed(Unpooled.wrappedBuffer(again));
      assertThat(reparsed).as("re-encoded %s", new String(again, java.nio.charset.StandardCharsets.ISO_8859_1))
          .isEqualTo(header);
    }
  }

  /** The reader as a connection drives it: direct buffers per read, then end of input; nothing may stay held. */
  private static void checkReaderReleasesEverything(byte[] input, int[] cuts, Verdict expected) {
    List<ByteBuf> given = new ArrayList<>();
    List<Object> outcomes = new ArrayList<>();
    ProxyHeaderReader reader = new ProxyHeaderReader(MAX_BYTES, new ProxyHeaderReader.Outcome() {
      @Override
      public void header(ProxyHeader header, ByteBuf rest) {
        outcomes.add(header);
        if (rest != null) {
          outcomes.add(rest.readableBytes());
          rest.release();
        }
      }

      @Override
      public void rejected(String reason) {
        outcomes.add(Objects.requireNonNull(reason));
      }
    });
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : input.length;
      ByteBuf read = Unpooled.directBuffer(Math.max(1, to - from)).writeBytes(input, from, to - from);
      given.add(read);
      reader.onMessage(read);
      from = to;
    }
    reader.onMessage(HalfCloseRelay.END_OF_INPUT);
    reader.timedOut(1);
    assertThat(given).allSatisfy(buffer -> assertThat(buffer.refCnt()).as("buffer released").isZero());
    assertThat(outcomes).as("exactly one outcome").isNotEmpty();
    if (expected.header() != null) {
      assertThat(outcomes.get(0)).isEqualTo(expected.header());
    } else {
      assertThat(outcomes).hasSize(1).first().isInstanceOf(String.class);
    }
  }
}
