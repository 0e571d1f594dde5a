package io.ringway.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HAProxy's proxy-protocol.txt clause by clause, for the parser (receiver) and the encoder (sender):
 * one test per requirement, named in docs/conformance.md ("PROXY protocol"). What a listener does
 * with the verdict (close, count, time out, take a header only once) is in ProxyProtocolEndToEndTest.
 */
class ProxyProtocolConformanceTest {

  private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";
  private static final String V4_BLOCK = "cb007107" + "c6336401" + "c822" + "01bb";

  // ---- v1 (2.1) ----

  @ParameterizedTest
  @ValueSource(strings = {"proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n",
      "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", " PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"})
  void v1StartsWithProxyAndExactlyOneSpace(String line) {
    assertRejected(line);
  }

  @Test
  void v1LineIsAtMost107BytesWithCrlf() throws Exception {
    String longest = "PROXY UNKNOWN " + "x".repeat(107 - 14 - 2) + "\r\n";
    assertThat(longest).hasSize(107);
    assertThat(parse(ascii(longest)).hasAddresses()).isFalse();
    String tooLong = "PROXY UNKNOWN " + "x".repeat(107 - 14 - 1) + "\r\n";
    assertThatThrownBy(() -> parse(ascii(tooLong))).hasMessageContaining("107");
    // The longest real TCP6 line fits: the bound never refuses a valid header.
    String tcp6 = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    assertThat(tcp6.length()).isLessThanOrEqualTo(107);
    assertThat(parse(ascii(tcp6)).source().getPort()).isEqualTo(65535);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
      "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1  2\r\n"})
  void v1FieldsAreSeparatedByExactlyOneSpace(String line) {
    assertRejected(line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
      "PROXY TCP 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY unknown\r\n", "PROXY UNKNOWNX\r\n"})
  void v1ProtocolIsTcp4Tcp6OrUnknown(String line) {
    assertRejected(line);
  }

  @Test
  void v1UnknownIgnoresTheRestOfTheLine() throws Exception {
    assertThat(parse(ascii("PROXY UNKNOWN\r\n")).hasAddresses()).isFalse();
    assertThat(parse(ascii("PROXY UNKNOWN 1.2.3.4 not an address at all\r\n")).hasAddresses()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.008 1 2\r\n",
      "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
      "PROXY TCP4 0x1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 16909060 5.6.7.8 1 2\r\n",
      "PROXY TCP6 ::ffff:01.2.3.4 ::1 1 2\r\n"})
  void v1Ipv4IsFourDecimalsWithoutLeadingZeros(String line) {
    assertRejected(line);
  }

  @Test
  void v1ZeroOctetsAreNotLeadingZeros() throws Exception {
    assertThat(parse(ascii("PROXY TCP4 0.0.0.0 10.0.0.1 0 2\r\n")).source())
        .isEqualTo(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n", "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n",
      "PROXY TCP6 1::2::3 ::1 1 2\r\n", "PROXY TCP6 00001::1 ::1 1 2\r\n", "PROXY TCP6 [::1] ::1 1 2\r\n",
      "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "PROXY TCP4 ::1 1.2.3.4 1 2\r\n"})
  void v1AddressesAre128BitsInTheFamilyTheProtocolNames(String line) {
    assertRejected(line);
  }

  @Test
  void v1Ipv6HexGroupsAnyCaseAndOneDoubleColon() throws Exception {
    ProxyHeader header = parse(ascii("PROXY TCP6 2001:DB8::7 2001:0db8:0:1:0:0:0:1 40000 8443\r\n"));
    assertThat(header.source().getAddress()).isEqualTo(InetAddress.getByName("2001:db8::7"));
    assertThat(header.destination().getAddress()).isEqualTo(InetAddress.getByName("2001:db8:0:1::1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 0x10\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n"})
  void v1PortsAreDecimal0To65535WithoutLeadingZeros(String line) {
    assertRejected(line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX\n"})
  void v1EndsWithCrlf(String line) {
    assertRejected(line);
  }

  // ---- v2 (2.2) ----

  @Test
  void v2StartsWithTheTwelveByteSignature() {
    for (int i = 0; i < 12; i++) {
      byte[] header = hex(SIGNATURE + "2111000c" + V4_BLOCK);
      header[i] ^= 0x01;
      byte[] bad = header;
      assertThatThrownBy(() -> parseByteByByte(bad)).as("signature byte %d", i).isInstanceOf(ProxyProtocolException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"01", "11", "31", "f1"})
  void v2VersionNibbleIsTwo(String versionCommand) {
    assertRejectedHex(SIGNATURE + versionCommand + "11000c" + V4_BLOCK);
  }

  @ParameterizedTest
  @ValueSource(strings = {"22", "23", "2f"})
  void v2CommandIsLocalOrProxy(String versionCommand) {
    assertRejectedHex(SIGNATURE + versionCommand + "11000c" + V4_BLOCK);
  }

  @ParameterizedTest
  @ValueSource(strings = {"00", "11", "41", "ff"})
  void v2LocalUsesTheRealEndpointsAndIgnoresTheBlockAndFamily(String family) throws Exception {
    ProxyHeader header = parse(hex(SIGNATURE + "20" + family + "000c" + V4_BLOCK));
    assertThat(header.local()).isTrue();
    assertThat(header.hasAddresses()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"40", "41", "f1", "13", "1f", "03"})
  void v2UnknownFamilyOrTransportIsRejected(String familyTransport) {
    assertRejectedHex(SIGNATURE + "21" + familyTransport + "000c" + V4_BLOCK);
  }

  @ParameterizedTest
  @ValueSource(strings = {"00", "01", "02", "10", "20", "30"})
  void v2UnspecFamilyOrTransportIgnoresTheAddresses(String familyTransport) throws Exception {
    ProxyHeader header = parse(hex(SIGNATURE + "21" + familyTransport + "000c" + V4_BLOCK));
    assertThat(header.local()).isFalse();
    assertThat(header.hasAddresses()).isFalse();
  }

  @Test
  void v2TcpOverIpv4AndIpv6GiveTheAddresses() throws Exception {
    assertThat(parse(hex(SIGNATURE + "2111000c" + V4_BLOCK)).source())
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 51234));
    ProxyHeader v6 = parse(hex(SIGNATURE + "21210024" + "20010db8" + "0".repeat(22) + "07" + "20010db8" + "0".repeat(22) + "01"
        + "9c40" + "20fb"));
    assertThat(v6.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000));
    assertThat(v6.destination().getPort()).isEqualTo(8443);
  }

  @Test
  void v2UdpAndUnixFallBackToTheSocketsAddresses() throws Exception {
    assertThat(parse(hex(SIGNATURE + "2112000c" + V4_BLOCK)).hasAddresses()).isFalse();
    assertThat(parse(hex(SIGNATURE + "21220024" + "00".repeat(36))).hasAddresses()).isFalse();
    assertThat(parse(hex(SIGNATURE + "213100d8" + "00".repeat(216))).hasAddresses()).isFalse();
    assertThat(parse(hex(SIGNATURE + "213200d8" + "00".repeat(216))).hasAddresses()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2111000b", "21210023", "213100d7", "21110000"})
  void v2LengthMustHoldTheAddressBlock(String fixed) {
    assertRejectedHex(SIGNATURE + fixed + "00".repeat(Integer.parseInt(fixed.substring(4), 16)));
  }

  @Test
  void v2HeaderIsExactlySixteenPlusLengthBytes() throws Exception {
    byte[] header = hex(SIGNATURE + "21110011" + V4_BLOCK + "e0" + "0002" + "abcd");
    ByteBuf bytes = Unpooled.buffer().writeBytes(header).writeBytes(ascii("\r\n\r\nnext"));
    assertThat(new ProxyProtocolParser(4096).feed(bytes)).isNotNull();
    assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("\r\n\r\nnext");
  }

  @Test
  void v2TlvsOfUnknownTypeAreSkipped() throws Exception {
    ProxyHeader header = parse(hex(SIGNATURE + "21110019" + V4_BLOCK + "04" + "0000" + "e0" + "0003" + "abcdef"
        + "01" + "0001" + "68"));
    assertThat(header.source().getPort()).isEqualTo(51234);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2111000e" + V4_BLOCK + "0400", "21110010" + V4_BLOCK + "04000501",
      "2111000f" + V4_BLOCK + "040001"})
  void v2TlvsMustNotOverrunTheHeader(String rest) {
    assertRejectedHex(SIGNATURE + rest);
  }

  @Test
  void v2LengthOverTheReceiversBoundIsRejectedBeforeTheBody() {
    byte[] fixed = hex(SIGNATURE + "2111" + "1001");
    assertThatThrownBy(() -> new ProxyProtocolParser(ProxyProtocolParser.DEFAULT_MAX_BYTES).feed(Unpooled.wrappedBuffer(fixed)))
        .hasMessageContaining("exceeds the limit");
  }

  // ---- receiver behaviour (2.) ----

  @Test
  void anyHeaderParsesTheSameWhateverTheReadBoundaries() throws Exception {
    byte[][] headers = {ascii("PROXY TCP4 203.0.113.7 198.51.100.1 51234 443\r\n"), hex(SIGNATURE + "21110011" + V4_BLOCK
        + "e0" + "0002" + "abcd")};
    SplittableRandom random = new SplittableRandom(7);
    for (byte[] header : headers) {
      ProxyHeader whole = parse(header);
      assertThat(parseByteByByte(header)).isEqualTo(whole);
      for (int round = 0; round < 50; round++) {
        ProxyProtocolParser parser = new ProxyProtocolParser(4096);
        int at = 0;
        ProxyHeader parsed = null;
        while (parsed == null) {
          int take = 1 + random.nextInt(header.length - at);
          parsed = parser.feed(Unpooled.wrappedBuffer(header, at, take));
          at += take;
        }
        assertThat(parsed).isEqualTo(whole);
        assertThat(at).isEqualTo(header.length);
      }
    }
  }

  @Test
  void aConnectionWithoutAHeaderIsNotGuessedAt() {
    assertRejected("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertRejected("\u0016\u0003\u0001\u0000\u00a5");
    assertRejected("SSH-2.0-OpenSSH_9.6\r\n");
  }

  @Test
  void theDefaultHeaderTimeoutCoversATcpRetransmit() {
    // The spec suggests at least 3 s so one lost segment of the header is not fatal.
    assertThat(Tunables.DEFAULT_PROXY_HEADER_TIMEOUT).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(3));
  }

  // ---- sender (ProxyProtocolEncoder) ----

  @Test
  void encoderWritesCanonicalV1ThatAStrictReceiverAccepts() throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 2000; i++) {
      InetSocketAddress source = randomAddress(random);
      InetSocketAddress destination = randomAddress(random);
      byte[] line = ProxyProtocolEncoder.v1(source, destination);
      String text = new String(line, StandardCharsets.US_ASCII);
      assertThat(line.length).as(text).isLessThanOrEqualTo(ProxyProtocolParser.V1_MAX_BYTES);
      assertThat(text).as(text).doesNotContain("  ").doesNotContainPattern("(^|[ .])0[0-9]").endsWith("\r\n");
      ProxyHeader parsed = parse(line);
      assertThat(parsed.source().getPort()).isEqualTo(source.getPort());
      assertThat(parsed.destination().getPort()).isEqualTo(destination.getPort());
      byte[] v2 = ProxyProtocolEncoder.v2(source, destination);
      assertThat(v2[12]).as("version 2, PROXY").isEqualTo((byte) 0x21);
      assertThat(v2[13]).as("TCP4 or TCP6").isIn((byte) 0x11, (byte) 0x21);
      assertThat(parse(v2).source().getPort()).isEqualTo(source.getPort());
    }
  }

  @Test
  void encoderWritesAMappedIpv4AsHexGroupsInV1() {
    String line = new String(ProxyProtocolEncoder.v1(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(
        "203.0.113.7"), 1), new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString("2001:db8::1"), 2)),
        StandardCharsets.US_ASCII);
    assertThat(line).isEqualTo("PROXY TCP6 ::ffff:cb00:7107 2001:db8::1 1 2\r\n");
  }

  private static InetSocketAddress randomAddress(SplittableRandom random) throws Exception {
    byte[] ip = new byte[random.nextBoolean() ? 4 : 16];
    random.nextBytes(ip);
    if (ip.length == 16 && random.nextBoolean()) {
      java.util.Arrays.fill(ip, 0, 4 + random.nextInt(12), (byte) 0);
    }
    return new InetSocketAddress(InetAddress.getByAddress(ip), random.nextInt(65536));
  }

  private static void assertRejected(String text) {
    assertThatThrownBy(() -> parseByteByByte(text.getBytes(StandardCharsets.ISO_8859_1)))
        .isInstanceOf(ProxyProtocolException.class).message().isNotBlank();
  }

  private static void assertRejectedHex(String hex) {
    assertThatThrownBy(() -> parseByteByByte(hex(hex))).isInstanceOf(ProxyProtocolException.class).message().isNotBlank();
  }

  private static ProxyHeader parse(byte[] header) throws ProxyProtocolException {
    ByteBuf bytes = Unpooled.wrappedBuffer(header);
    ProxyHeader parsed = new ProxyProtocolParser(ProxyProtocolParser.DEFAULT_MAX_BYTES).feed(bytes);
    assertThat(parsed).as("complete header").isNotNull();
    assertThat(bytes.isReadable()).as("the header took all its bytes").isFalse();
    return parsed;
  }

  private static ProxyHeader parseByteByByte(byte[] header) throws ProxyProtocolException {
    ProxyProtocolParser parser = new ProxyProtocolParser(ProxyProtocolParser.DEFAULT_MAX_BYTES);
    for (int i = 0; i < header.length; i++) {
      ProxyHeader parsed = parser.feed(Unpooled.wrappedBuffer(header, i, 1));
      if (parsed != null) {
        return parsed;
      }
    }
    throw new AssertionError("no header after " + header.length + " bytes");
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
