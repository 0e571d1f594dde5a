package io.ringway.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringway.spi.upstream.ProxyProtocolVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The PROXY protocol on its own: what the encoder writes, the parser reads back, however split. */
class ProxyProtocolParserTest {

  private static final InetSocketAddress V4_CLIENT = address("203.0.113.7", 51234);
  private static final InetSocketAddress V4_SERVER = address("198.51.100.1", 443);
  private static final InetSocketAddress V6_CLIENT = address("2001:db8::7", 40000);
  private static final InetSocketAddress V6_SERVER = address("2001:db8:0:1::1", 8443);

  static Stream<Arguments> addressPairs() {
    return Stream.of(
        Arguments.of(V4_CLIENT, V4_SERVER, V4_CLIENT, V4_SERVER),
        Arguments.of(V6_CLIENT, V6_SERVER, V6_CLIENT, V6_SERVER),
        // one header has one family: the v4 side travels v4-mapped
        Arguments.of(V4_CLIENT, V6_SERVER, address("::ffff:203.0.113.7", 51234), V6_SERVER));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("addressPairs")
  void v1AndV2RoundTripWholeAndByteByByte(InetSocketAddress source, InetSocketAddress destination,
                                          InetSocketAddress expectedSource, InetSocketAddress expectedDestination)
      throws Exception {
    for (ProxyProtocolVersion version : new ProxyProtocolVersion[] {ProxyProtocolVersion.V1, ProxyProtocolVersion.V2}) {
      byte[] header = ProxyProtocolEncoder.encode(version, source, destination);
      for (ProxyHeader parsed : new ProxyHeader[] {parseWhole(header), parseByteByByte(header)}) {
        assertThat(parsed.version()).isEqualTo(version == ProxyProtocolVersion.V1 ? 1 : 2);
        assertThat(parsed.local()).isFalse();
        assertThat(sameIp(parsed.source(), expectedSource)).as("%s source %s", version, parsed.source()).isTrue();
        assertThat(sameIp(parsed.destination(), expectedDestination)).isTrue();
      }
    }
  }

  @Test
  void v1IsTheTextTheSpecShows() {
    assertThat(new String(ProxyProtocolEncoder.v1(V4_CLIENT, V4_SERVER), StandardCharsets.US_ASCII))
        .isEqualTo("PROXY TCP4 203.0.113.7 198.51.100.1 51234 443\r\n");
    assertThat(new String(ProxyProtocolEncoder.v1(V6_CLIENT, V6_SERVER), StandardCharsets.US_ASCII))
        .isEqualTo("PROXY TCP6 2001:db8::7 2001:db8:0:1::1 40000 8443\r\n");
    assertThat(new String(ProxyProtocolEncoder.v1(null, V4_SERVER), StandardCharsets.US_ASCII))
        .isEqualTo("PROXY UNKNOWN\r\n");
    assertThat(ProxyProtocolEncoder.encode(ProxyProtocolVersion.NONE, V4_CLIENT, V4_SERVER)).isEmpty();
  }

  @Test
  void v2IsTheBinaryTheSpecShows() {
    assertThat(HexFormat.of().formatHex(ProxyProtocolEncoder.v2(V4_CLIENT, V4_SERVER)))
        .isEqualTo("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "cb007107" + "c6336401" + "c822" + "01bb");
    assertThat(ProxyProtocolEncoder.v2(null, null)).hasSize(16);
  }

  @Test
  void bytesAfterTheHeaderAreLeftForTheStream() throws Exception {
    for (byte[] header : new byte[][] {ProxyProtocolEncoder.v1(V4_CLIENT, V4_SERVER), ProxyProtocolEncoder.v2(V4_CLIENT, V4_SERVER)}) {
      ByteBuf bytes = Unpooled.buffer().writeBytes(header).writeBytes("GET /".getBytes(StandardCharsets.US_ASCII));
      assertThat(new ProxyProtocolParser(4096).feed(bytes)).isNotNull();
      assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo("GET /");
    }
  }

  @Test
  void anIncompleteHeaderAsksForMore() throws Exception {
    byte[] header = ProxyProtocolEncoder.v2(V6_CLIENT, V6_SERVER);
    ProxyProtocolParser parser = new ProxyProtocolParser(4096);
    assertThat(parser.feed(Unpooled.wrappedBuffer(header, 0, 20))).isNull();
    assertThat(parser.feed(Unpooled.wrappedBuffer(header, 20, header.length - 20))).isNotNull();
  }

  @Test
  void localUnknownAndUnspecCarryNoAddresses() throws Exception {
    assertThat(parseWhole("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII)).hasAddresses()).isFalse();
    assertThat(parseWhole("PROXY UNKNOWN ffff::1 ::1 1 2\r\n".getBytes(StandardCharsets.US_ASCII)).hasAddresses()).isFalse();
    ProxyHeader local = parseWhole(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "11" + "000c" + "00".repeat(12)));
    assertThat(local.local()).isTrue();
    assertThat(local.hasAddresses()).isFalse();
    assertThat(parseWhole(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "00" + "0003" + "aabbcc")).hasAddresses()).isFalse();
    ProxyHeader withTlv = parseWhole(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "11" + "0011"
        + "cb007107c6336401c82201bb" + "04" + "0002" + "abcd"));
    assertThat(withTlv.source()).isEqualTo(V4_CLIENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "GET / HTTP/1.1\r\n",
      "PROXI TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",
      "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
      "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
      "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
      "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",
      "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
      "PROXY TCP6 [::1] ::1 1 2\r\n",
      "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
      "PROXY TCP4 example.com 5.6.7.8 1 2\r\n"})
  void malformedV1IsRejectedWithAReason(String header) {
    assertThatThrownBy(() -> parseByteByByte(header.getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(ProxyProtocolException.class).message().isNotBlank();
  }

  @Test
  void aV1LineWithoutCrlfIsCutOffAt107Bytes() {
    byte[] endless = ("PROXY TCP4 " + "1".repeat(200)).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> parseWhole(endless)).hasMessageContaining("107");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "0d0a0d0a000d0a515549540b" + "21" + "11" + "000c" + "cb007107c6336401c82201bb",
      "0d0a0d0a000d0a515549540a" + "11" + "11" + "000c" + "cb007107c6336401c82201bb",
      "0d0a0d0a000d0a515549540a" + "22" + "11" + "000c" + "cb007107c6336401c82201bb",
      "0d0a0d0a000d0a515549540a" + "21" + "41" + "000c" + "cb007107c6336401c82201bb",
      "0d0a0d0a000d0a515549540a" + "21" + "13" + "000c" + "cb007107c6336401c82201bb",
      "0d0a0d0a000d0a515549540a" + "21" + "21" + "000c" + "cb007107c6336401c82201bb",
      "0d0a0d0a000d0a515549540a" + "21" + "11" + "000e" + "cb007107c6336401c82201bb" + "0400",
      "0d0a0d0a000d0a515549540a" + "21" + "11" + "0010" + "cb007107c6336401c82201bb" + "04000501"})
  void malformedV2IsRejectedWithAReason(String hex) {
    assertThatThrownBy(() -> parseByteByByte(HexFormat.of().parseHex(hex)))
        .isInstanceOf(ProxyProtocolException.class).message().isNotBlank();
  }

  @Test
  void aV2HeaderOverTheBoundIsRejectedBeforeItsBodyArrives() {
    byte[] fixedPart = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "21" + "11" + "ffff");
    assertThatThrownBy(() -> new ProxyProtocolParser(1024).feed(Unpooled.wrappedBuffer(fixedPart)))
        .hasMessageContaining("65551 bytes exceeds the limit of 1024");
  }

  @ParameterizedTest
  @EnumSource(value = ProxyProtocolVersion.class, names = {"V1", "V2"})
  void unknownAddressesEncodeToAHeaderWithoutThem(ProxyProtocolVersion version) throws Exception {
    assertThat(parseWhole(ProxyProtocolEncoder.encode(version, null, V4_SERVER)).hasAddresses()).isFalse();
  }

  private static ProxyHeader parseWhole(byte[] header) throws ProxyProtocolException {
    ProxyHeader parsed = new ProxyProtocolParser(4096).feed(Unpooled.wrappedBuffer(header));
    assertThat(parsed).as("complete header").isNotNull();
    return parsed;
  }

  private static ProxyHeader parseByteByByte(byte[] header) throws ProxyProtocolException {
    ProxyProtocolParser parser = new ProxyProtocolParser(4096);
    for (int i = 0; i < header.length; i++) {
      ProxyHeader parsed = parser.feed(Unpooled.wrappedBuffer(header, i, 1));
      if (parsed != null) {
        assertThat(i).as("header complete at its last byte").isEqualTo(header.length - 1);
        return parsed;
      }
    }
    throw new AssertionError("no header after " + header.length + " bytes");
  }

  private static boolean sameIp(InetSocketAddress actual, InetSocketAddress expected) {
    return actual.getPort() == expected.getPort()
        && java.util.Arrays.equals(mapped(actual.getAddress()), mapped(expected.getAddress()));
  }

  private static byte[] mapped(InetAddress address) {
    byte[] raw = address.getAddress();
    if (raw.length == 16) {
      return raw;
    }
    byte[] v6 = new byte[16];
    v6[10] = (byte) 0xff;
    v6[11] = (byte) 0xff;
    System.arraycopy(raw, 0, v6, 12, 4);
    return v6;
  }

  private static InetSocketAddress address(String ip, int port) {
    return new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString(ip), port);
  }
}
