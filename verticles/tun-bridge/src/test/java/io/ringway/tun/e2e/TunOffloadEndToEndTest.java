package io.ringway.tun.e2e;

import static io.ringway.tun.e2e.TunnelPair.TUNNEL_A;
import static io.ringway.tun.e2e.TunnelPair.TUNNEL_B;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Capabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TUN offloads end to end (issue 18): two namespaces, two bridges, the kernel's TCP on both ends.
 * With offloads the sender's kernel hands its bridge super-packets that are cut, sealed and sent in
 * UDP_SEGMENT batches, and the receiving bridge coalesces the segments back into super-packets for
 * its kernel; without them every packet goes one by one. Either way a TCP transfer arrives with the
 * same SHA-256 at MTU 1280 and 1420, ICMP and UDP (small, and large enough to be fragmented inside
 * the tunnel) still pass. The transfer is {@code tun.transfer.mib} MiB: 20 by default, 200 with
 * {@code -Pload}.
 */
@Timeout(300)
class TunOffloadEndToEndTest extends TunnelPairTest {

  private static final long MIB = Long.getLong("tun.transfer.mib", 20);

  @ParameterizedTest(name = "offloads {0}, MTU {1}")
  @CsvSource({"auto, 1420", "off, 1420", "auto, 1280", "off, 1280"})
  void tcpArrivesIntactAndIcmpAndUdpStillPass(String offloads, int mtu) throws Exception {
    Capabilities.require("io_uring", Transport.IO_URING.available(), String.valueOf(Transport.IO_URING.unavailabilityCause()));
    pair.start(120, "io_uring", offloads, mtu);
    String took = crossTheTunnel();
    JsonObject a = new JsonObject(pair.a.call("stats", SHORT));
    JsonObject b = new JsonObject(pair.b.call("stats", SHORT));
    System.out.println("tun offload e2e: " + MIB + " MiB, offloads " + offloads + ", MTU " + mtu + ", io_uring, in " + took
        + "\n  A " + a.getJsonObject("offloads") + " " + a.getJsonObject("udp") + "\n  B " + b.getJsonObject("offloads")
        + " " + b.getJsonObject("udp"));
    if (offloads.equals("auto")) {
      assertOffloaded(a, b);
      assertThat(a.getJsonObject("offloads").getBoolean("udpGso")).isTrue();
      JsonObject udp = a.getJsonObject("udp");
      assertThat(udp.getLong("sends")).as("UDP_SEGMENT batches").isLessThan(udp.getLong("datagramsSent") / 4);
      // B reads A's batches with UDP_GRO on the ring: several datagrams per receive, none failed.
      JsonObject received = b.getJsonObject("udp");
      assertThat(b.getJsonObject("offloads").getBoolean("udpGro")).isTrue();
      assertThat(received.getLong("receives")).as("GRO receives").isPositive()
          .isLessThan(received.getLong("datagramsReceived") / 4);
      assertThat(received.getLong("receiveErrors")).isZero();
    } else {
      for (JsonObject stats : List.of(a, b)) {
        JsonObject counters = stats.getJsonObject("offloads");
        assertThat(counters.getBoolean("vnetHeader")).isFalse();
        assertThat(counters.getJsonArray("granted")).isEmpty();
        assertThat(counters.getBoolean("udpGso")).isFalse();
        assertThat(counters.getLong("superPacketsRead") + counters.getLong("superPacketsWritten")).isZero();
      }
    }
  }

  @Test
  void onEpollTheSameOffloadsAndUdpGroHold() throws Exception {
    Capabilities.require("epoll", Transport.EPOLL.available(), String.valueOf(Transport.EPOLL.unavailabilityCause()));
    pair.start(120, "epoll", "auto", 1420);
    String took = crossTheTunnel();
    JsonObject a = new JsonObject(pair.a.call("stats", SHORT));
    JsonObject b = new JsonObject(pair.b.call("stats", SHORT));
    System.out.println("tun offload e2e: " + MIB + " MiB, offloads auto, epoll, in " + took + "\n  A "
        + a.getJsonObject("offloads") + " " + a.getJsonObject("udp") + "\n  B " + b.getJsonObject("offloads") + " "
        + b.getJsonObject("udp"));
    assertOffloaded(a, b);
    assertThat(b.getJsonObject("offloads").getBoolean("udpGro")).isTrue();
    assertThat(a.getString("ioPath")).isEqualTo("epoll");
  }

  /** Pings both ways, UDP echoes (one small, one fragmented inside), then the TCP transfer; returns its time. */
  private String crossTheTunnel() throws Exception {
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(pair.b.call("ping " + TUNNEL_A + " 3000", SHORT)).isEqualTo("true");
    pair.b.call("udpecho 5300", SHORT);
    assertThat(Integer.parseInt(pair.a.call("udpping " + TUNNEL_B + " 5300 20 1000", SHORT))).isGreaterThanOrEqualTo(19);
    assertThat(Integer.parseInt(pair.a.call("udpping " + TUNNEL_B + " 5300 10 4000", SHORT)))
        .as("datagrams fragmented inside the tunnel").isGreaterThanOrEqualTo(9);
    Duration limit = Duration.ofSeconds(30 + MIB);
    pair.b.call("serve 5201", SHORT);
    String[] sent = pair.a.call("send " + TUNNEL_B + " 5201 " + (MIB << 20), limit).split(" ");
    assertThat(pair.b.call("served", limit)).as("same bytes, same SHA-256").isEqualTo(sent[0] + " " + sent[1]);
    return sent[2];
  }

  private static void assertOffloaded(JsonObject a, JsonObject b) {
    for (JsonObject stats : List.of(a, b)) {
      JsonObject counters = stats.getJsonObject("offloads");
      assertThat(counters.getBoolean("vnetHeader")).isTrue();
      assertThat(counters.getJsonArray("granted").getList()).contains("csum", "tso4", "tso6");
      assertThat(counters.getLong("malformedDropped")).isZero();
      assertThat(stats.getJsonObject("tun").getLong("writesDropped")).isZero();
    }
    JsonObject sender = a.getJsonObject("offloads");
    JsonObject receiver = b.getJsonObject("offloads");
    assertThat(sender.getLong("superPacketsRead")).as("the sender's kernel hands over super-packets").isPositive();
    assertThat(sender.getDouble("packetsPerRead")).isGreaterThan(2.0);
    assertThat(receiver.getLong("superPacketsWritten")).as("the receiver writes coalesced ones").isPositive();
    assertThat(receiver.getDouble("packetsPerWrite")).isGreaterThan(2.0);
  }
}
