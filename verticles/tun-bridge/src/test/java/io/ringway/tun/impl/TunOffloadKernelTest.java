package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.ringway.tun.TunDevice;
import io.ringway.tun.TunFixture;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TunOffload} against the kernel's own TCP, on a real TUN device opened with IFF_VNET_HDR and
 * TSO granted; the test plays the far end of the connection by hand. The kernel's super-packets cut
 * by {@link TunOffload#split} must be valid segments carrying exactly what the socket sent; segments
 * coalesced by {@link TunOffload#coalesce} and written once must reach a kernel socket intact.
 */
@Timeout(60)
class TunOffloadKernelTest {

  private static final byte[] WSCALE_MSS = {2, 4, 0x05, 0x64, 1, 3, 3, 7}; // MSS 1380, NOP, window scale 7
  private static final int MTU = 1420;

  private final TunFixture tun = new TunFixture();
  private final TunOffload.Counters counters = new TunOffload.Counters();
  private TunDevice device;
  private byte[] local;
  private byte[] remote;
  private final Memory readMemory = new Memory(TunOffload.VNET_HDR_LEN + TunOffload.MAX_SUPER_PACKET);
  private final ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(TunOffload.VNET_HDR_LEN + TunOffload.MAX_SUPER_PACKET);
  private final ByteBuf scratch = PooledByteBufAllocator.DEFAULT.directBuffer(MTU, MTU);

  @BeforeEach
  void device() throws Exception {
    TunFixture.requireTun();
    device = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, false, true);
    assertThat(device.vnetHeader()).as("IFF_VNET_HDR on this kernel").isTrue();
    int granted = device.enableOffloads();
    assertThat(TunDevice.offloadNames(granted)).contains("csum", "tso4", "tso6");
    device.mtu(MTU).address(tun.host(1) + "/24").up();
    local = InetAddress.getByName(tun.host(1)).getAddress();
    remote = InetAddress.getByName(tun.host(2)).getAddress();
  }

  @AfterEach
  void close() {
    read.release();
    scratch.release();
    if (device != null) {
      device.close();
    }
    tun.deleteLink();
  }

  @Test
  void theKernelsSuperPacketsCutIntoValidSegmentsCarryExactlyWhatTheSocketSent() throws Exception {
    byte[] sent = new byte[512 << 10];
    new Random(18).nextBytes(sent);
    CompletableFuture<Socket> connected = CompletableFuture.supplyAsync(() -> {
      try {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(tun.host(2), 7000), 10_000);
        return socket;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    byte[] syn = next(p -> (TcpPackets.flags(p) & TcpPackets.SYN) != 0);
    assertThat(TcpPackets.checksumsValid(syn)).as("NEEDS_CSUM completed").isTrue();
    int port = TcpPackets.sourcePort(syn);
    long clientIsn = TcpPackets.seq(syn);
    write(TcpPackets.v4(remote, local, 7000, port, 1000, clientIsn + 1, TcpPackets.SYN | TcpPackets.ACK, 65535,
        WSCALE_MSS, new byte[0]));
    try (Socket socket = connected.get(10, TimeUnit.SECONDS)) {
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
        try {
          socket.getOutputStream().write(sent);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      byte[] received = new byte[sent.length];
      long base = clientIsn + 1;
      long acked = base;
      int maxSegment = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acked - base < sent.length && System.nanoTime() < deadline) {
        for (byte[] segment : readSplit(1000)) {
          if (TcpPackets.sourcePort(segment) != port || (segment[0] >> 4) != 4) {
            continue;
          }
          assertThat(TcpPackets.checksumsValid(segment)).as("segment at " + TcpPackets.seq(segment)).isTrue();
          assertThat(segment.length).isLessThanOrEqualTo(MTU);
          maxSegment = Math.max(maxSegment, segment.length);
          byte[] payload = TcpPackets.payload(segment);
          long offset = TcpPackets.seq(segment) - base;
          if (payload.length > 0 && offset >= 0 && offset + payload.length <= sent.length) {
            System.arraycopy(payload, 0, received, (int) offset, payload.length);
            if (offset <= acked - base) {
              acked = Math.max(acked, base + offset + payload.length);
            }
          }
        }
        // A window of 64 KiB << 7: the sender is limited by its congestion window only.
        write(TcpPackets.v4(remote, local, 7000, port, 1001, acked, TcpPackets.ACK, 65535, new byte[0], new byte[0]));
      }
      writing.get(10, TimeUnit.SECONDS);
      assertThat(received).as("every byte, in order").isEqualTo(sent);
      assertThat(maxSegment).as("full-size segments").isEqualTo(MTU);
      assertThat(counters.superPacketsRead).as("the kernel handed over super-packets").isPositive();
      assertThat(counters.segmentsRead).isGreaterThanOrEqualTo(2 * counters.superPacketsRead);
      assertThat(counters.malformedDropped).isZero();
      System.out.println("tun offload: " + counters.superPacketsRead + " super-packets, " + counters.segmentsRead
          + " segments");
    }
  }

  @Test
  void segmentsCoalescedIntoOneGsoWriteReachAKernelSocketIntact() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(tun.host(1), 7001));
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return server.accept();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      write(TcpPackets.v4(remote, local, 40000, 7001, 5000, 0, TcpPackets.SYN, 65535, WSCALE_MSS, new byte[0]));
      byte[] synAck = next(p -> TcpPackets.sourcePort(p) == 7001);
      assertThat(TcpPackets.flags(synAck)).isEqualTo(TcpPackets.SYN | TcpPackets.ACK);
      long serverSeq = TcpPackets.seq(synAck) + 1;
      write(TcpPackets.v4(remote, local, 40000, 7001, 5001, serverSeq, TcpPackets.ACK, 1024, new byte[0], new byte[0]));
      try (Socket socket = accepted.get(10, TimeUnit.SECONDS); InputStream in = socket.getInputStream()) {
        byte[] sent = new byte[40 * 1000];
        new Random(19).nextBytes(sent);
        List<ByteBuf> segments = new ArrayList<>();
        for (int offset = 0; offset < sent.length; offset += 1000) {
          int flags = offset + 1000 == sent.length ? TcpPackets.ACK | TcpPackets.PSH : TcpPackets.ACK;
          byte[] segment = TcpPackets.v4(remote, local, 40000, 7001, 5001 + offset, serverSeq, flags, 1024, new byte[0],
              Arrays.copyOfRange(sent, offset, offset + 1000));
          segments.add(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(segment));
        }
        List<ByteBuf> writes = new ArrayList<>();
        TunOffload.coalesce(segments, PooledByteBufAllocator.DEFAULT, counters, writes::add);
        assertThat(writes).hasSize(1);
        assertThat(TunOffload.segments(writes.get(0))).isEqualTo(40);
        try {
          writeRaw(writes.get(0));
        } finally {
          writes.get(0).release();
        }
        byte[] received = in.readNBytes(sent.length);
        assertThat(received).isEqualTo(sent);
        assertThat(counters.superPacketsWritten).isEqualTo(1);
        assertThat(counters.segmentsCoalesced).isEqualTo(40);
      }
    }
  }

  private byte[] next(java.util.function.Predicate<byte[]> wanted) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (byte[] packet : readSplit(200)) {
        if ((packet[0] >> 4) == 4 && packet[9] == 6 && wanted.test(packet)) {
          return packet;
        }
      }
    }
    throw new AssertionError("no such TCP packet from " + tun.name + " within 10 s");
  }

  /** Every packet one read yields (none after {@code timeoutMillis} without one), cut by TunOffload. */
  private List<byte[]> readSplit(int timeoutMillis) {
    List<byte[]> packets = new ArrayList<>();
    try (Memory pollfd = new Memory(LibC.POLLFD_SIZE)) {
      pollfd.setInt(0, device.fd());
      pollfd.setShort(4, LibC.POLLIN);
      pollfd.setShort(6, (short) 0);
      if (LibC.poll(pollfd, 1, timeoutMillis) <= 0) {
        return packets;
      }
    }
    long n = LibC.read(device.fd(), readMemory, readMemory.size());
    read.clear().writeBytes(readMemory.getByteArray(0, (int) n));
    int count = TunOffload.split(read, scratch, MTU, counters, packet -> packets.add(ByteBufUtil.getBytes(packet)));
    assertThat(count).as("a packet the kernel made is never malformed").isPositive();
    return packets;
  }

  private void write(byte[] packet) {
    ByteBuf write = PooledByteBufAllocator.DEFAULT.directBuffer().writeZero(TunOffload.VNET_HDR_LEN).writeBytes(packet);
    try {
      writeRaw(write);
    } finally {
      write.release();
    }
  }

  private void writeRaw(ByteBuf write) {
    byte[] bytes = ByteBufUtil.getBytes(write);
    try (Memory memory = new Memory(bytes.length)) {
      memory.write(0, bytes, 0, bytes.length);
      assertThat(LibC.write(device.fd(), memory, bytes.length)).isEqualTo(bytes.length);
    }
  }
}
