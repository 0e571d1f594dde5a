package io.ringway.transport.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.ringway.spi.ConfigError;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.EchoProbe;
import io.ringway.testkit.ShutdownFloodProbe;
import io.ringway.testkit.SocketOptionsProbe;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EpollTransportPluginTest {

  private final EpollTransportPlugin plugin = new EpollTransportPlugin();

  @Test
  void echoOverLoopbackRunsOnEpoll() throws Exception {
    Capabilities.require("epoll", plugin.isAvailable(), plugin.unavailabilityCause());
    Vertx vertx = Vertx.builder().withTransport(plugin.create(new JsonObject())).build();
    try {
      EchoProbe.Result result = EchoProbe.roundTrip(vertx, "edge or level");

      assertThat(result.echoed()).isEqualTo("edge or level");
      assertThat(result.serverChannel()).isEqualTo(EpollSocketChannel.class);
      assertThat(plugin.drives((IoEventLoop) ((VertxInternal) vertx).nettyEventLoopGroup().next())).isTrue();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void takesNoOptions() {
    assertThat(plugin.validate(new JsonObject().put("ringSize", 8), "transportOptions.epoll"))
        .containsExactly(new ConfigError("transportOptions.epoll.ringSize", "unknown key (the epoll transport takes no options)"));
  }

  @Test
  void socketsGetOnlyTheOptionsThatChangeAFreshSocket() {
    Capabilities.require(plugin.name(), plugin.isAvailable(), plugin.unavailabilityCause());
    SocketOptionsProbe.Names defaults = SocketOptionsProbe.of(plugin, new NetServerOptions(), new NetClientOptions());

    for (List<String> names : List.of(defaults.accepted(), defaults.dialled())) {
      assertThat(names).doesNotContain("SO_KEEPALIVE", "TCP_USER_TIMEOUT", "TCP_CORK")
          .contains("TCP_NODELAY", "TCP_QUICKACK");
    }
    assertThat(SocketOptionsProbe.of(plugin, new NetServerOptions().setTcpKeepAlive(true), new NetClientOptions())
        .accepted()).as("asked for, so set").contains("SO_KEEPALIVE");
  }

  @Test
  void connectionsAcceptedAfterTheLastHandlerLeftAreClosedQuietly() throws Exception {
    Capabilities.require(plugin.name(), plugin.isAvailable(), plugin.unavailabilityCause());
    ShutdownFloodProbe.run(plugin).assertQuiet();
  }

}
