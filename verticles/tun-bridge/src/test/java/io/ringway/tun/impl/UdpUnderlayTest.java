package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.OnContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.transport.Transport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The underlay on real UDP sockets: datagrams written in place into the pending UDP_SEGMENT batch reach a
 * plain socket one by one, whole and in order, in one GSO send; a writer that throws sends nothing and
 * leaves the batch as it was; without offloads each datagram gets a buffer of its own.
 */
class UdpUnderlayTest {

  private Vertx vertx;
  private ContextInternal context;
  private UdpUnderlay underlay;
  private DatagramSocket receiver;

  private void open(String transport, boolean offloads) throws Exception {
    Transport chosen = transport.equals("epoll") ? Transport.EPOLL : Transport.IO_URING;
    Capabilities.require(transport, chosen.available(), String.valueOf(chosen.unavailabilityCause()));
    vertx = Vertx.builder().withTransport(chosen).build();
    context = (ContextInternal) vertx.getOrCreateContext();
    EventLoop loop = context.nettyEventLoop();
    underlay = onLoop(() -> UdpUnderlay.bind((VertxInternal) vertx, loop, "127.0.0.1", 0, 1500, true, offloads, false,
        (datagram, sender) -> { }));
    receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    receiver.setSoTimeout(5000);
  }

  @AfterEach
  void close() throws Exception {
    if (underlay != null) {
      onLoop(underlay::close);
    }
    if (receiver != null) {
      receiver.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void datagramsWrittenInPlaceLeaveWholeAndInOrderAndAFailedWriterSendsNothing(String transport) throws Exception {
    open(transport, true);
    assertThat(underlay.gso()).isTrue();
    InetSocketAddress to = (InetSocketAddress) receiver.getLocalSocketAddress();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(filled(1200, i));
    }
    sent.add(filled(700, 5));

    List<Throwable> refused = onLoop(() -> {
      List<Throwable> failures = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        byte[] bytes = sent.get(i);
        underlay.send(bytes.length, to, target -> target.writeBytes(bytes));
        if (i == 2) {
          // Half a datagram written, then the writer fails (a seal refusing): nothing of it may leave.
          failures.add(catchFailure(() -> underlay.send(1200, to, target -> {
            target.writeBytes(filled(600, 99));
            throw new IllegalStateException("session destroyed");
          })));
          // A writer that writes another length than it said is refused the same way.
          failures.add(catchFailure(() -> underlay.send(1200, to, target -> target.writeBytes(filled(1100, 98)))));
        }
      }
      return Future.succeededFuture(failures);
    });

    assertThat(refused).extracting(Throwable::getMessage)
        .containsExactly("session destroyed", "wrote 1100 bytes of a 1200-byte datagram");
    for (byte[] expected : sent) {
      assertThat(receive()).isEqualTo(expected);
    }
    UdpUnderlay.UdpStats stats = onLoop(() -> Future.succeededFuture(underlay.stats()));
    assertThat(stats.datagramsSent).isEqualTo(6);
    assertThat(stats.gsoDatagrams).isEqualTo(6);
    assertThat(stats.gsoSends).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void withoutOffloadsEachDatagramIsItsOwnSend(String transport) throws Exception {
    open(transport, false);
    assertThat(underlay.gso()).isFalse();
    InetSocketAddress to = (InetSocketAddress) receiver.getLocalSocketAddress();
    byte[] first = filled(1200, 1);
    byte[] second = filled(300, 2);

    onLoop(() -> {
      underlay.send(first.length, to, target -> target.writeBytes(first));
      assertThatThrownBy(() -> underlay.send(10, to, target -> {
        throw new IllegalStateException("refused");
      })).hasMessage("refused");
      underlay.send(second.length, to, target -> target.writeBytes(second));
      return Future.succeededFuture(null);
    });

    assertThat(receive()).isEqualTo(first);
    assertThat(receive()).isEqualTo(second);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aGsoSendArrivesWithGroAsItsDatagramsWholeAndInOrder(String transport) throws Exception {
    open(transport, true);
    BlockingQueue<byte[]> arrived = new LinkedBlockingQueue<>();
    List<InetSocketAddress> senders = new ArrayList<>();
    UdpUnderlay peer = onLoop(() -> UdpUnderlay.bind((VertxInternal) vertx, context.nettyEventLoop(), "127.0.0.1", 0,
        1500, true, true, false, (datagram, sender) -> {
          arrived.add(ByteBufUtil.getBytes(datagram));
          senders.add(sender);
        }));
    try {
      assertThat(peer.gro()).isTrue();
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        sent.add(filled(1400, i));
      }
      sent.add(filled(333, 40));
      InetSocketAddress to = peer.localAddress();
      onLoop(() -> {
        for (byte[] bytes : sent) {
          underlay.send(bytes.length, to, target -> target.writeBytes(bytes));
        }
        return Future.succeededFuture(null);
      });

      for (byte[] expected : sent) {
        assertThat(arrived.poll(5, TimeUnit.SECONDS)).isEqualTo(expected);
      }
      UdpUnderlay.UdpStats stats = onLoop(() -> Future.succeededFuture(peer.stats()));
      assertThat(stats.datagramsReceived).isEqualTo(sent.size());
      if (transport.equals("io_uring")) {
        // The 41 equal-or-shorter datagrams of one GSO send come in one or a few coalesced receives.
        assertThat(stats.receives).isPositive().isLessThan(sent.size() / 4);
        assertThat(stats.receiveErrors).isZero();
      }
      assertThat(senders).allMatch(underlay.localAddress()::equals);
    } finally {
      onLoop(peer::close);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void oddDatagramsFromAnyoneArriveAsTheyWereSentForTheBridgeToJudge(String transport) throws Exception {
    open(transport, true);
    BlockingQueue<byte[]> arrived = new LinkedBlockingQueue<>();
    UdpUnderlay peer = onLoop(() -> UdpUnderlay.bind((VertxInternal) vertx, context.nettyEventLoop(), "127.0.0.1", 0,
        1500, true, true, false, (datagram, sender) -> arrived.add(ByteBufUtil.getBytes(datagram))));
    try {
      // Not from a peer: a plain socket, sizes from one byte to far over the tunnel's largest datagram.
      List<byte[]> sent = List.of(filled(1, 1), filled(60_000, 2), filled(1501, 3), filled(13, 4), filled(65_507, 5));
      for (byte[] bytes : sent) {
        receiver.send(new DatagramPacket(bytes, bytes.length, peer.localAddress()));
      }
      for (byte[] expected : sent) {
        byte[] got = arrived.poll(5, TimeUnit.SECONDS);
        assertThat(got).as("a %d-byte datagram", expected.length).isNotNull();
        assertThat(got.length).isEqualTo(expected.length);
        assertThat(got).isEqualTo(expected);
      }
      assertThat(onLoop(() -> Future.succeededFuture(peer.stats().receiveErrors))).isZero();
    } finally {
      onLoop(peer::close);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aHandlerThatThrowsIsCountedAndReadingGoesOn(String transport) throws Exception {
    open(transport, true);
    BlockingQueue<byte[]> arrived = new LinkedBlockingQueue<>();
    UdpUnderlay peer = onLoop(() -> UdpUnderlay.bind((VertxInternal) vertx, context.nettyEventLoop(), "127.0.0.1", 0,
        1500, true, true, false, (datagram, sender) -> {
          if (datagram.getByte(datagram.readerIndex()) == 0x7f) {
            throw new IllegalStateException("the bridge failed on this one");
          }
          arrived.add(ByteBufUtil.getBytes(datagram));
        }));
    try {
      // More failures than the io_uring reader has receives in flight: a failure must not cost a receive.
      byte[] poison = {0x7f, 1, 2};
      for (int i = 0; i < 10; i++) {
        receiver.send(new DatagramPacket(poison, poison.length, peer.localAddress()));
      }
      byte[] good = filled(100, 1);
      receiver.send(new DatagramPacket(good, good.length, peer.localAddress()));

      assertThat(arrived.poll(5, TimeUnit.SECONDS)).isEqualTo(good);
      long counted = onLoop(() -> Future.succeededFuture(
          transport.equals("io_uring") ? peer.stats().receiveErrors : peer.errors()));
      assertThat(counted).isEqualTo(10);
    } finally {
      onLoop(peer::close);
    }
  }

  private byte[] receive() throws Exception {
    DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
    receiver.receive(packet);
    return Arrays.copyOf(packet.getData(), packet.getLength());
  }

  private static byte[] filled(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed * 31 + i);
    }
    return bytes;
  }

  private static Throwable catchFailure(Runnable action) {
    try {
      action.run();
      return new AssertionError("no failure");
    } catch (RuntimeException e) {
      return e;
    }
  }

  /** Runs {@code action} on the underlay's loop (its only thread) and waits for the future it returns. */
  private <T> T onLoop(Supplier<Future<T>> action) throws Exception {
    return OnContext.call(context, action::get).get(10, TimeUnit.SECONDS);
  }
}
