package io.ringway.transport.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.ringway.spi.ConfigError;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.EchoProbe;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
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
}
