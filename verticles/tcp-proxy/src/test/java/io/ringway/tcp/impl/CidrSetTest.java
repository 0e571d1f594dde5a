package io.ringway.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.NetUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrSetTest {

  private final CidrSet trusted = CidrSet.parse(List.of("10.0.0.0/8", "192.168.1.128/25", "2001:db8::/32", "127.0.0.1"));

  @Test
  void matchesByPrefix() {
    assertThat(trusted.contains(ip("10.200.3.4"))).isTrue();
    assertThat(trusted.contains(ip("11.0.0.1"))).isFalse();
    assertThat(trusted.contains(ip("192.168.1.200"))).isTrue();
    assertThat(trusted.contains(ip("192.168.1.127"))).isFalse();
    assertThat(trusted.contains(ip("2001:db8:ffff::1"))).isTrue();
    assertThat(trusted.contains(ip("2001:db9::1"))).isFalse();
    assertThat(trusted.contains(ip("127.0.0.1"))).isTrue();
    assertThat(trusted.contains(ip("127.0.0.2"))).isFalse();
    assertThat(trusted.contains(null)).isFalse();
  }

  @Test
  void aMappedV4ClientMatchesV4Blocks() throws Exception {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
    java.net.InetAddress client = java.net.Inet6Address.getByAddress(null, mapped, -1);
    assertThat(client).isInstanceOf(java.net.Inet6Address.class);
    assertThat(trusted.contains(client)).isTrue();
  }

  @Test
  void nothingIsTrustedByAnEmptyList() {
    assertThat(CidrSet.parse(List.of()).contains(ip("127.0.0.1"))).isFalse();
  }

  @Test
  void badEntriesAreNamed() {
    assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0.0/8", "10.0.0.0/33"))).hasMessageContaining("trustedSources[1]");
    assertThatThrownBy(() -> CidrSet.parse(List.of("example.com/8"))).hasMessageContaining("trustedSources[0]");
    assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0.0/x"))).hasMessageContaining("0..32");
  }

  private static java.net.InetAddress ip(String text) {
    return NetUtil.createInetAddressFromIpAddressString(text);
  }
}
