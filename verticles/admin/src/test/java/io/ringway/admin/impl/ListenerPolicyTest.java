package io.ringway.admin.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.AdminConfig;
import org.junit.jupiter.api.Test;

class ListenerPolicyTest {

  @Test
  void loopbackLiteralsAndLocalhostCountAsLoopback() {
    assertThat(ListenerPolicy.isLoopback("127.0.0.1")).isTrue();
    assertThat(ListenerPolicy.isLoopback("127.1.2.3")).isTrue();
    assertThat(ListenerPolicy.isLoopback("::1")).isTrue();
    assertThat(ListenerPolicy.isLoopback("LOCALHOST")).isTrue();
  }

  @Test
  void anythingElseIsNotLoopbackWithoutAskingDns() {
    assertThat(ListenerPolicy.isLoopback("0.0.0.0")).isFalse();
    assertThat(ListenerPolicy.isLoopback("::")).isFalse();
    assertThat(ListenerPolicy.isLoopback("10.0.0.1")).isFalse();
    assertThat(ListenerPolicy.isLoopback("admin.example")).isFalse();
  }

  @Test
  void aTokenAllowsAnyHostButABlankTokenIsRefused() {
    assertThat(ListenerPolicy.refusal(new AdminConfig("0.0.0.0", 9901, "secret"))).isNull();
    assertThat(ListenerPolicy.refusal(new AdminConfig("127.0.0.1", 9901, null))).isNull();
    assertThat(ListenerPolicy.refusal(new AdminConfig("127.0.0.1", 9901, " "))).startsWith("token is blank");
  }
}
