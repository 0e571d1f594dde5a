package io.ringway.tun.e2e;

import static io.ringway.tun.e2e.TunnelPair.TUNNEL_A;
import static io.ringway.tun.e2e.TunnelPair.TUNNEL_B;
import static io.ringway.tun.e2e.TunnelPair.drops;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Capabilities;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * A multi-queue device with two event loops on each node (namespaces and TUN devices made here, as
 * {@link TunnelEndToEndTest}): each loop runs a bridge instance with its own queue and its own UDP
 * socket on the shared port, over one shared session table. TCP connections hash to different TUN
 * queues, so both lanes of the sender read and seal under the one session, and every byte arrives.
 */
@Timeout(120)
class TunnelMultiQueueEndToEndTest extends TunnelPairTest {

  /** Connections made; the kernel spreads them over 2 queues by flow hash, so all on one is 2^-15. */
  private static final int CONNECTIONS = 16;

  @BeforeEach
  void twoLoops() {
    pair.eventLoops = 2;
  }
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void twoQueuesOnTwoLoopsShareTheSessionsAndEveryConnectionArrivesIntact(String transport) throws Exception {
    Transport wanted = transport.equals("epoll") ? Transport.EPOLL : Transport.IO_URING;
    Capabilities.require(transport, wanted.available(), String.valueOf(wanted.unavailabilityCause()));
    pair.start(120, transport);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(pair.b.call("ping " + TUNNEL_A + " 3000", SHORT)).isEqualTo("true");
    for (int i = 0; i < CONNECTIONS; i++) {
      pair.b.call("serve 5201", SHORT);
      String[] sent = pair.a.call("send " + TUNNEL_B + " 5201 " + (1L << 20), Duration.ofSeconds(30)).split(" ");
      assertThat(pair.b.call("served", Duration.ofSeconds(30))).as("connection " + i).isEqualTo(sent[0] + " " + sent[1]);
    }

    JsonArray lanes = new JsonArray(pair.a.call("statsall", SHORT));
    assertThat(lanes).hasSize(2);
    List<JsonObject> instances = lanes.stream().map(JsonObject.class::cast).toList();
    assertThat(instances).extracting(lane -> lane.getInteger("queue")).containsExactly(0, 1);
    assertThat(instances).allSatisfy(lane -> {
      assertThat(lane.getInteger("queues")).isEqualTo(2);
      assertThat(lane.getString("device")).isEqualTo(instances.get(0).getString("device"));
      assertThat(lane.getString("listen")).as("one port, SO_REUSEPORT").isEqualTo(instances.get(0).getString("listen"));
      assertThat(lane.getJsonObject("tun").getLong("packetsRead")).as("queue " + lane.getInteger("queue")
          + " read packets: the flows were spread over both").isPositive();
    });
    assertThat(instances.get(0).getString("thread")).isNotEqualTo(instances.get(1).getString("thread"));
    assertThat(instances).allSatisfy(lane -> assertThat(lane.getString("ioPath")).isEqualTo(transport));
    JsonObject peer = instances.get(0).getJsonArray("peers").getJsonObject(0);
    assertThat(peer.getLong("handshakes")).as("one session for both lanes").isEqualTo(1);
    assertThat(peer.getLong("txBytes")).isGreaterThanOrEqualTo((long) CONNECTIONS << 20);
    JsonObject b = new JsonObject(pair.b.call("stats", SHORT));
    for (String reason : List.of("BAD_TAG", "REPLAY", "UNKNOWN_INDEX")) {
      assertThat(drops(b, reason)).as(reason + " at the receiver").isZero();
    }
  }
}
