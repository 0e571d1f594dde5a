package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PrefixTableTest {

  private final PrefixTable<String> table = new PrefixTable<>();

  @Test
  void theLongestIpv4PrefixWins() throws Exception {
    table.put("10.0.0.0/8", "wide");
    table.put("10.1.0.0/16", "narrow");
    table.put("10.1.2.3/32", "host");

    assertThat(table.lookup(ip("10.200.0.1"))).isEqualTo("wide");
    assertThat(table.lookup(ip("10.1.9.9"))).isEqualTo("narrow");
    assertThat(table.lookup(ip("10.1.2.3"))).isEqualTo("host");
    assertThat(table.lookup(ip("10.1.2.4"))).isEqualTo("narrow");
    assertThat(table.lookup(ip("11.0.0.1"))).isNull();
    assertThat(table.size()).isEqualTo(3);
  }

  @Test
  void theLongestIpv6PrefixWinsAndFamiliesStaySeparate() throws Exception {
    table.put("fd00::/8", "ula");
    table.put("fd00:1::/64", "site");
    table.put("0.0.0.0/0", "v4 default");

    assertThat(table.lookup(ip("fd00:1::5"))).isEqualTo("site");
    assertThat(table.lookup(ip("fdff::1"))).isEqualTo("ula");
    assertThat(table.lookup(ip("2001:db8::1"))).as("a v4 default does not catch v6").isNull();
    assertThat(table.lookup(ip("192.0.2.1"))).isEqualTo("v4 default");
  }

  @Test
  void defaultRoutesAndHostBitsAndReplacement() throws Exception {
    table.put("::/0", "v6 default");
    assertThat(table.lookup(ip("2001:db8::1"))).isEqualTo("v6 default");
    table.put("10.9.9.9/24", "masked");
    assertThat(table.lookup(ip("10.9.9.1"))).isEqualTo("masked");
    assertThat(table.put("10.9.9.0/24", "again")).isEqualTo("masked");
    assertThat(table.size()).isEqualTo(2);
  }

  @Test
  void looksUpTheDestinationInsideARawPacket() throws Exception {
    table.put("10.99.0.0/24", "peer");
    byte[] packet = new byte[28];
    packet[0] = 0x45;
    System.arraycopy(ip("10.99.0.7"), 0, packet, 16, 4);
    int version = IpPackets.version(Unpooled.wrappedBuffer(packet));
    assertThat(version).isEqualTo(4);
    assertThat(table.lookup(packet, IpPackets.destinationOffset(version), IpPackets.addressLength(version)))
        .isEqualTo("peer");
    assertThat(IpPackets.version(Unpooled.wrappedBuffer(new byte[10]))).isZero();
    assertThat(IpPackets.version(Unpooled.wrappedBuffer(packet).skipBytes(1))).as("from the reader index").isZero();
  }

  @Test
  void badPrefixesSayWhich() {
    assertThatThrownBy(() -> table.put("10.0.0.0/33", "x")).hasMessage("prefix \"10.0.0.0/33\": length must be 0 to 32");
    assertThatThrownBy(() -> table.put("example.com/8", "x")).hasMessage("prefix \"example.com/8\": not an IP address");
    assertThatThrownBy(() -> table.put("10.0.0.0/x", "x")).hasMessage("prefix \"10.0.0.0/x\": bad length");
  }

  private static byte[] ip(String literal) throws Exception {
    return InetAddress.getByName(literal).getAddress();
  }
}
