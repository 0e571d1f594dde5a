package io.ringway.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TunDeviceTest {

  private final TunFixture tun = new TunFixture();

  @AfterEach
  void deleteInterface() {
    tun.deleteLink();
  }

  @Test
  void aMissingCloneDeviceIsOneErrorNamingTheDeviceAndTheFix() {
    assertThatThrownBy(() -> TunDevice.open("/dev/net/rw-no-such-tun", tun.name, false))
        .isInstanceOf(TunException.class)
        .hasMessage("cannot open /dev/net/rw-no-such-tun: it does not exist (load the tun kernel"
            + " module: modprobe tun; in a container, pass the device through)");
  }

  @Test
  void aNameLongerThanIfnamsizIsRefusedBeforeAnySyscall() {
    assertThatThrownBy(() -> TunDevice.open(TunDevice.DEV_NET_TUN, "ringway-much-too-long", false))
        .isInstanceOf(TunException.class)
        .hasMessageContaining("must be 1 to 15 bytes");
  }

  @Test
  void permissionErrorsNameRootOrCapNetAdmin() {
    assertThat(TunDevice.attachFailure("rw0", 1)).contains("rw0").contains("CAP_NET_ADMIN");
    assertThat(TunDevice.openFailure("/dev/net/tun", 13)).contains("CAP_NET_ADMIN");
  }

  @Test
  void createsAnInterfaceWithMtuAddressesAndLinkUpThenRemovesItOnClose() {
    TunFixture.requireTun();
    try (TunDevice device = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, false)) {
      device.mtu(1400).address(tun.host(1) + "/24").address("fd00:99:" + tun.subnet + "::1/64").up();

      assertThat(device.name()).isEqualTo(tun.name);
      String link = TunFixture.run("ip", "link", "show", "dev", tun.name);
      assertThat(link).contains("mtu 1400").contains("UP").contains("POINTOPOINT");
      String addresses = TunFixture.run("ip", "-o", "addr", "show", "dev", tun.name);
      assertThat(addresses).contains("inet " + tun.host(1) + "/24")
          .contains("inet6 fd00:99:" + tun.subnet + "::1/64");
      assertThatThrownBy(() -> device.address(tun.host(9) + "/24"))
          .hasMessageContaining("only one IPv4 address");
    }
    assertThat(tun.linkExists()).as("a non-persistent TUN goes with its last fd").isFalse();
  }

  @Test
  void aSecondOpenOfTheSameSingleQueueNameIsBusy() {
    TunFixture.requireTun();
    try (TunDevice first = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, false)) {
      assertThatThrownBy(() -> TunDevice.open(TunDevice.DEV_NET_TUN, first.name(), false))
          .isInstanceOf(TunException.class)
          .hasMessageContaining("cannot create TUN interface " + tun.name);
    }
  }

  @Test
  void multiQueueAttachesASecondQueueToTheSameInterface() {
    TunFixture.requireTun();
    try (TunDevice first = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, true);
        TunDevice second = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, true)) {
      assertThat(second.name()).isEqualTo(first.name());
      assertThat(second.fd()).isNotEqualTo(first.fd());
      first.close();
      assertThat(tun.linkExists()).as("the interface lives while one queue is open").isTrue();
    }
    assertThat(tun.linkExists()).isFalse();
  }
}
