package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TunOffload} on packets built here (the kernel's own are in {@code TunOffloadKernelTest}):
 * super-packets cut into segments with correct lengths, sequence numbers, flags and checksums;
 * malformed headers and packets dropped and counted with nothing handed on; coalescing of in-order
 * segments only, everything else one by one; every buffer released (direct, {@code PARANOID}).
 */
class TunOffloadTest {

  private static final byte[] A = {10, 99, 0, 1};
  private static final byte[] B = {10, 99, 0, 2};
  private static final byte[] A6 = ip6(1);
  private static final byte[] B6 = ip6(2);
  private static final int MTU = 1420;

  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private final TunOffload.Counters counters = new TunOffload.Counters();
  private final List<ByteBuf> held = new ArrayList<>();

  @AfterEach
  void releaseAndCheck() {
    for (ByteBuf buffer : held) {
      assertThat(buffer.refCnt()).as("released by TunOffload").isEqualTo(1);
      buffer.release();
    }
  }

  private static byte[] ip6(int last) {
    byte[] address = new byte[16];
    address[0] = (byte) 0xfd;
    address[15] = (byte) last;
    return address;
  }

  private static byte[] data(int length, int seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /**
   * What the kernel hands a TUN reader with TSO: the whole packet behind a GSO header, the TCP
   * checksum field holding the pseudo-header sum (CHECKSUM_PARTIAL).
   */
  private ByteBuf superPacket(byte[] packet, int gsoType, int gsoSize) {
    byte[] copy = packet.clone();
    boolean v4 = (copy[0] >> 4) == 4;
    int ipHeader = v4 ? 20 : 40;
    long pseudo = (v4 ? TcpPackets.sum(copy, 12, 8) : TcpPackets.sum(copy, 8, 32)) + 6 + copy.length - ipHeader;
    short partial = (short) ~TcpPackets.checksum(new byte[0], 0, 0, pseudo);
    ByteBuffer.wrap(copy).putShort(ipHeader + 16, partial);
    ByteBuf read = alloc.directBuffer(TunOffload.VNET_HDR_LEN + copy.length);
    read.writeByte(TunOffload.F_NEEDS_CSUM).writeByte(gsoType).writeShortLE(ipHeader + 20).writeShortLE(gsoSize)
        .writeShortLE(ipHeader).writeShortLE(16).writeBytes(copy);
    return track(read);
  }

  private ByteBuf track(ByteBuf buffer) {
    held.add(buffer);
    return buffer;
  }

  private List<byte[]> split(ByteBuf read) {
    List<byte[]> out = new ArrayList<>();
    ByteBuf scratch = alloc.directBuffer(MTU, MTU);
    try {
      int n = TunOffload.split(read, scratch, MTU, counters, packet -> out.add(ByteBufUtil.getBytes(packet)));
      assertThat(n).isEqualTo(n < 0 ? -1 : out.size());
    } finally {
      scratch.release();
    }
    return out;
  }

  @Test
  void aTcpV4SuperPacketIsCutIntoMtuSizedSegmentsWithTheirOwnLengthsIdsSequenceFlagsAndChecksums() {
    byte[] payload = data(5000, 1);
    byte[] packet = TcpPackets.v4(A, B, 40000, 5201, 1_000_000, 77, TcpPackets.ACK | TcpPackets.PSH | TcpPackets.FIN,
        1024, new byte[0], payload);
    List<byte[]> segments = split(superPacket(packet, TunOffload.GSO_TCPV4, 1380));

    assertThat(segments).hasSize(4);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < segments.size(); i++) {
      byte[] segment = segments.get(i);
      assertThat(TcpPackets.checksumsValid(segment)).as("segment " + i + " checksums").isTrue();
      assertThat(segment.length).isEqualTo(i < 3 ? 1420 : 40 + 5000 - 3 * 1380);
      assertThat(ByteBuffer.wrap(segment).getShort(2) & 0xffff).isEqualTo(segment.length);
      assertThat(ByteBuffer.wrap(segment).getShort(4) & 0xffff).as("IP id").isEqualTo(0x1000 + i);
      assertThat(TcpPackets.seq(segment)).isEqualTo(1_000_000 + 1380L * i);
      assertThat(TcpPackets.ack(segment)).isEqualTo(77);
      assertThat(TcpPackets.flags(segment)).as("FIN/PSH on the last only")
          .isEqualTo(i < 3 ? TcpPackets.ACK : TcpPackets.ACK | TcpPackets.PSH | TcpPackets.FIN);
      joined.writeBytes(TcpPackets.payload(segment));
    }
    assertThat(joined.toByteArray()).isEqualTo(payload);
    assertThat(counters.superPacketsRead).isEqualTo(1);
    assertThat(counters.segmentsRead).isEqualTo(4);
  }

  @Test
  void aTcpV6SuperPacketIsCutToo() {
    byte[] payload = data(3000, 2);
    byte[] packet = TcpPackets.v6(A6, B6, 40000, 5201, 0xfffffff0L, 5, TcpPackets.ACK, payload);
    List<byte[]> segments = split(superPacket(packet, TunOffload.GSO_TCPV6, 1360));

    assertThat(segments).hasSize(3);
    for (int i = 0; i < 3; i++) {
      byte[] segment = segments.get(i);
      assertThat(TcpPackets.checksumsValid(segment)).isTrue();
      assertThat(ByteBuffer.wrap(segment).getShort(4) & 0xffff).isEqualTo(segment.length - 40);
      assertThat(TcpPackets.seq(segment)).as("sequence wraps").isEqualTo((0xfffffff0L + 1360L * i) & 0xffffffffL);
    }
  }

  @Test
  void aPlainPacketWithNeedsCsumGetsItsChecksumAndOneWithoutPassesAsItIs() {
    byte[] packet = TcpPackets.v4(A, B, 1, 2, 3, 4, TcpPackets.ACK, 100, new byte[0], data(300, 3));
    ByteBuf partial = superPacket(packet, TunOffload.GSO_NONE, 0);
    assertThat(split(partial)).singleElement().satisfies(p -> assertThat(p).isEqualTo(packet));

    ByteBuf plain = track(alloc.directBuffer().writeZero(TunOffload.VNET_HDR_LEN).writeBytes(packet));
    assertThat(split(plain)).singleElement().satisfies(p -> assertThat(p).isEqualTo(packet));
    assertThat(counters.superPacketsRead).isZero();
  }

  @Test
  void malformedHeadersAndPacketsAreDroppedAndCountedWithNothingHandedOn() {
    byte[] packet = TcpPackets.v4(A, B, 1, 2, 3, 4, TcpPackets.ACK, 100, new byte[0], data(4000, 4));
    byte[] v6 = TcpPackets.v6(A6, B6, 1, 2, 3, 4, TcpPackets.ACK, data(4000, 5));
    List<ByteBuf> bad = new ArrayList<>();
    bad.add(track(alloc.directBuffer().writeZero(5)));                                  // shorter than the header
    bad.add(track(alloc.directBuffer().writeZero(TunOffload.VNET_HDR_LEN)));            // header, no packet
    bad.add(superPacket(v6, TunOffload.GSO_TCPV4, 1380));                                // TCPV4 on an IPv6 packet
    bad.add(superPacket(packet, TunOffload.GSO_TCPV6, 1380));                            // TCPV6 on an IPv4 packet
    bad.add(superPacket(packet, TunOffload.GSO_UDP, 1380));                              // UFO: never asked for
    bad.add(superPacket(packet, TunOffload.GSO_TCPV4, 0));                               // gso_size 0
    bad.add(superPacket(packet, TunOffload.GSO_TCPV4, 1500));                            // segments above the MTU
    ByteBuf wrongStart = superPacket(packet, TunOffload.GSO_TCPV4, 1380);
    wrongStart.setShortLE(6, 24);                                                        // csum_start is not the IP header
    bad.add(wrongStart);
    ByteBuf wrongOffset = superPacket(packet, TunOffload.GSO_TCPV4, 1380);
    wrongOffset.setShortLE(8, 6);                                                        // csum_offset of UDP on TCP
    bad.add(wrongOffset);
    ByteBuf truncated = superPacket(packet, TunOffload.GSO_TCPV4, 1380);
    truncated.writerIndex(TunOffload.VNET_HDR_LEN + 30);                                 // TCP header cut
    bad.add(truncated);
    ByteBuf headerOnly = superPacket(packet, TunOffload.GSO_TCPV4, 1380);
    headerOnly.writerIndex(TunOffload.VNET_HDR_LEN + 40);                                // no payload to segment
    bad.add(headerOnly);
    ByteBuf noCsum = superPacket(packet, TunOffload.GSO_TCPV4, 1380);
    noCsum.setByte(0, 0);                                                                // GSO without NEEDS_CSUM
    bad.add(noCsum);
    ByteBuf csumBeyond = superPacket(packet, TunOffload.GSO_NONE, 0);
    csumBeyond.setShortLE(6, 4090);                                                      // checksum past the end
    bad.add(csumBeyond);
    ByteBuf ihl = superPacket(packet, TunOffload.GSO_TCPV4, 1380);
    ihl.setByte(TunOffload.VNET_HDR_LEN, 0x44);                                          // IHL 4
    bad.add(ihl);

    for (int i = 0; i < bad.size(); i++) {
      assertThat(split(bad.get(i))).as("case " + i).isEmpty();
    }
    assertThat(counters.malformedDropped).isEqualTo(bad.size());
    assertThat(counters.superPacketsRead).isZero();
  }

  private List<ByteBuf> coalesce(List<byte[]> packets) {
    List<ByteBuf> in = new ArrayList<>();
    for (byte[] packet : packets) {
      in.add(alloc.directBuffer(packet.length).writeBytes(packet));
    }
    List<ByteBuf> out = new ArrayList<>();
    TunOffload.coalesce(in, alloc, counters, out::add);
    for (ByteBuf buffer : in) {
      assertThat(buffer.refCnt()).as("inputs released").isZero();
    }
    held.addAll(out);
    return out;
  }

  private static List<byte[]> stream(byte[] payload, int mss, long seq, int lastFlags) {
    List<byte[]> segments = new ArrayList<>();
    for (int offset = 0; offset < payload.length; offset += mss) {
      int end = Math.min(payload.length, offset + mss);
      segments.add(TcpPackets.v4(A, B, 40000, 5201, seq + offset, 9, end == payload.length ? lastFlags : TcpPackets.ACK,
          1024, new byte[0], Arrays.copyOfRange(payload, offset, end)));
    }
    return segments;
  }

  @Test
  void inOrderSegmentsOfOneFlowBecomeOneGsoWriteThatSplitsBackIntoTheSamePackets() {
    byte[] payload = data(1380 * 10 + 500, 6);
    List<byte[]> segments = stream(payload, 1380, 5000, TcpPackets.ACK | TcpPackets.PSH);
    List<ByteBuf> writes = coalesce(segments);

    assertThat(writes).hasSize(1);
    ByteBuf write = writes.get(0);
    assertThat((int) write.getUnsignedByte(0)).isEqualTo(TunOffload.F_NEEDS_CSUM);
    assertThat((int) write.getUnsignedByte(1)).isEqualTo(TunOffload.GSO_TCPV4);
    assertThat(write.getUnsignedShortLE(4)).as("gso_size").isEqualTo(1380);
    assertThat(TunOffload.segments(write)).isEqualTo(11);
    assertThat(counters.superPacketsWritten).isEqualTo(1);
    assertThat(counters.segmentsCoalesced).isEqualTo(11);
    // What the kernel would do with it: the same segments again (IP ids counted up from the head's).
    List<byte[]> again = split(write.duplicate());
    assertThat(again).hasSameSizeAs(segments);
    for (int i = 0; i < again.size(); i++) {
      assertThat(TcpPackets.checksumsValid(again.get(i))).isTrue();
      assertThat(withoutIdAndHeaderChecksum(again.get(i))).isEqualTo(withoutIdAndHeaderChecksum(segments.get(i)));
    }
  }

  private static byte[] withoutIdAndHeaderChecksum(byte[] packet) {
    byte[] copy = packet.clone();
    copy[4] = copy[5] = copy[10] = copy[11] = 0;
    return copy;
  }

  @Test
  void gapsOtherFlowsFlagsUdpAndBadChecksumsPassOneByOneInOrder() {
    byte[] payload = data(1380 * 4, 7);
    List<byte[]> flow = stream(payload, 1380, 100, TcpPackets.ACK);
    byte[] gap = flow.get(2);
    byte[] other = TcpPackets.v4(A, B, 40001, 5201, 100, 9, TcpPackets.ACK, 1024, new byte[0], data(1380, 8));
    byte[] syn = TcpPackets.v4(A, B, 40002, 5201, 1, 0, TcpPackets.SYN, 1024, new byte[0], new byte[0]);
    byte[] udp = new Ipv4Udp(inet(A), inet(B), 53, 53, data(100, 9)).toBytes();
    byte[] badSum = flow.get(3).clone();
    badSum[badSum.length - 1] ^= 1;
    List<ByteBuf> writes = coalesce(List.of(flow.get(0), flow.get(1), other, syn, udp, flow.get(3), badSum));

    // flow 0+1 coalesced; other, syn, udp alone; flow 3 follows a gap (2 missing) so it starts a
    // new run, and the corrupted copy of it is not merged (its checksum must reach the kernel wrong).
    assertThat(writes).extracting(TunOffload::segments).containsExactly(2, 1, 1, 1, 1, 1);
    assertThat(ByteBufUtil.getBytes(writes.get(3), TunOffload.VNET_HDR_LEN, writes.get(3).readableBytes() - 10))
        .isEqualTo(udp);
    assertThat((int) writes.get(1).getUnsignedByte(0)).as("verified: DATA_VALID").isEqualTo(TunOffload.F_DATA_VALID);
    assertThat((int) writes.get(5).getUnsignedByte(0)).as("not verified").isZero();
    assertThat(counters.passedOneByOne).isEqualTo(5);
    assertThat(gap).isNotNull();
  }

  @Test
  void pshEndsARunAndAShorterSegmentEndsItToo() {
    byte[] payload = data(1380 * 6, 10);
    List<byte[]> flow = stream(payload, 1380, 0, TcpPackets.ACK);
    List<byte[]> withPsh = new ArrayList<>(flow);
    byte[] second = flow.get(1);
    withPsh.set(1, TcpPackets.v4(A, B, 40000, 5201, TcpPackets.seq(second), 9, TcpPackets.ACK | TcpPackets.PSH, 1024,
        new byte[0], TcpPackets.payload(second)));
    assertThat(coalesce(withPsh)).extracting(TunOffload::segments).containsExactly(2, 4);

    byte[] bytes = data(2500, 11);
    List<byte[]> shortMiddle = new ArrayList<>();
    int[][] cuts = {{0, 1000}, {1000, 1500}, {1500, 2500}};
    for (int[] cut : cuts) {
      shortMiddle.add(TcpPackets.v4(A, B, 40000, 5201, cut[0], 9, TcpPackets.ACK, 1024, new byte[0],
          Arrays.copyOfRange(bytes, cut[0], cut[1])));
    }
    // 1000, then 500 (shorter: appended, and ends the run), then 1000: nothing may follow a short one.
    assertThat(coalesce(shortMiddle)).extracting(TunOffload::segments).containsExactly(2, 1);
  }

  @Test
  void malformedInnerPacketsAreDroppedAndCountedAndTheRestStillWritten() {
    byte[] good = TcpPackets.v4(A, B, 1, 2, 3, 4, TcpPackets.ACK, 100, new byte[0], data(100, 12));
    byte[] longer = good.clone();
    ByteBuffer.wrap(longer).putShort(2, (short) (good.length + 5));                      // total length > bytes
    byte[] ihl = good.clone();
    ihl[0] = 0x43;                                                                       // IHL 3
    byte[] tcpCut = Arrays.copyOf(good, 30);                                             // TCP header cut
    ByteBuffer.wrap(tcpCut).putShort(2, (short) 30);
    byte[] offset = TcpPackets.v4(A, B, 1, 2, 3, 4, TcpPackets.ACK, 100, new byte[0], data(10, 12));
    offset[20 + 12] = (byte) 0xf0;                                                       // data offset 60 > packet
    byte[] v6 = TcpPackets.v6(A6, B6, 1, 2, 3, 4, TcpPackets.ACK, data(10, 13));
    ByteBuffer.wrap(v6).putShort(4, (short) 500);                                        // payload length wrong
    byte[] version = good.clone();
    version[0] = 0x55;
    List<ByteBuf> writes = coalesce(List.of(longer, ihl, tcpCut, offset, v6, version, new byte[0], good));

    assertThat(writes).hasSize(1);
    assertThat(counters.malformedDropped).isEqualTo(7);
  }

  @Test
  void sumsAgreeWithTheTextbookOnes() {
    byte[] bytes = data(1001, 14);
    ByteBuf buffer = track(Unpooled.directBuffer().writeBytes(bytes)).retain();
    buffer.release();
    long textbook = TcpPackets.sum(bytes, 0, bytes.length);
    assertThat(InetChecksum.fold(InetChecksum.sum(buffer, 0, bytes.length, 0)))
        .isEqualTo(InetChecksum.fold(textbook));
  }

  private static java.net.InetAddress inet(byte[] address) {
    try {
      return java.net.InetAddress.getByAddress(address);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
