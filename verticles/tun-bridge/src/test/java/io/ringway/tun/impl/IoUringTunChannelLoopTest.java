package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.IoEventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IoUringTunChannelLoopTest {

  @Test
  void aLoopThatDoesNotRunIoUringIsRefusedBeforeTheDeviceIsTouched() throws Exception {
    Vertx vertx = Vertx.vertx(); // NIO transport
    try {
      IoEventLoop loop = (IoEventLoop) ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
      assertThatThrownBy(() -> new IoUringTunChannel(null, loop, 4, 4, 1500, packet -> { }))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the event loop does not run io_uring");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
