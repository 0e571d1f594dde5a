package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.TransportPlugin;
import io.ringway.testkit.Capabilities;
import io.ringway.transport.epoll.EpollTransportPlugin;
import io.ringway.transport.nio.NioTransportPlugin;
import io.ringway.transport.uring.IoUringTransportPlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransportSelectorTest {

  private final IoUringTransportPlugin ioUring = new IoUringTransportPlugin();
  private final List<TransportPlugin> plugins = List.of(new NioTransportPlugin(), ioUring, new EpollTransportPlugin());

  @Test
  void autoPicksIoUringOnThisMachine() {
    Capabilities.require("io_uring", ioUring.isAvailable(), ioUring.unavailabilityCause());

    TransportSelector.Selection selection = TransportSelector.select("auto", plugins);

    assertThat(selection.plugin().name()).isEqualTo("io_uring");
    assertThat(selection.explanation()).isEqualTo("transport: io_uring (auto)");
  }

  @Test
  void explicitChoiceIsTaken() {
    assertThat(TransportSelector.select("nio", plugins).plugin().name()).isEqualTo("nio");
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    assertThatThrownBy(() -> TransportSelector.select("kqueue", plugins))
        .isInstanceOf(StartupException.class)
        .hasMessage("transport: unknown transport \"kqueue\" (known: io_uring, epoll, nio)");
  }
}
