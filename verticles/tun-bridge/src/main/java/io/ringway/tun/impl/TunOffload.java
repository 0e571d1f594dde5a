package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The TUN device's offloads in user space, as pure functions over buffers (the channels call them;
 * wireguard-go's {@code tun/offload_linux.go} does the same job). With {@code IFF_VNET_HDR} every
 * read and write on the fd starts with a 10-byte {@code struct virtio_net_hdr} (in the host's byte
 * order, little-endian here: the kernel uses native order for a legacy header unless TUNSETVNETLE).
 *
 * <ul>
 *   <li>{@link #split}: a read is one packet or, with TUN_F_TSO4/6 (TUN_F_USO4/6) granted, a
 *       super-packet of up to 64 KiB that the kernel's TCP (UDP) built for a device that segments
 *       itself: cut it into MTU-sized packets, each with its own IP length/id, TCP sequence/flags
 *       and full checksums; with TUN_F_CSUM a plain packet may come with {@code NEEDS_CSUM}, its
 *       transport checksum left to us (the field holds the pseudo-header sum).</li>
 *   <li>{@link #coalesce}: packets to be written; consecutive in-order segments of one TCP flow
 *       (same addresses, ports, ACK, options, IP TOS/TTL/DF; only ACK or ACK|PSH, PSH only on the
 *       last) become one super-packet with a GSO header, written once, which the kernel's stack
 *       takes as one skb (GRO in user space). Everything else is written one by one with an empty
 *       header.</li>
 * </ul>
 * Nothing here allocates on the read path; {@link #coalesce} allocates the buffers it writes.
 */
public final class TunOffload {

  /** sizeof(struct virtio_net_hdr): TUN's default vnet header size (TUNSETVNETHDRSZ not needed). */
  public static final int VNET_HDR_LEN = 10;
  /** The largest read or write: a 64 KiB super-packet behind its header. */
  public static final int MAX_SUPER_PACKET = 65_535;

  static final int F_NEEDS_CSUM = 1;
  static final int F_DATA_VALID = 2;
  static final int GSO_NONE = 0;
  static final int GSO_TCPV4 = 1;
  static final int GSO_UDP = 3;
  static final int GSO_TCPV6 = 4;
  static final int GSO_UDP_L4 = 5;
  static final int GSO_ECN = 0x80;

  private static final int PROTO_TCP = 6;
  private static final int PROTO_UDP = 17;
  private static final int TCP_FIN = 0x01;
  private static final int TCP_PSH = 0x08;
  private static final int TCP_ACK = 0x10;
  private static final int TCP_CWR = 0x80;
  /** Flows followed at once in one coalescing batch; a batch from one loop iteration has few. */
  private static final int MAX_OPEN_FLOWS = 16;

  /** Outcome counters, owned by the caller (one per channel, on its loop). */
  public static final class Counters {
    /** Reads that were super-packets (more than one segment). */
    public long superPacketsRead;
    /** Segments cut out of them. */
    public long segmentsRead;
    /** Super-packets written, and the segments coalesced into them. */
    public long superPacketsWritten;
    public long segmentsCoalesced;
    /** Packets written one by one (not coalescable, or alone in their flow). */
    public long passedOneByOne;
    /** Reads with a bad virtio-net header or inner packet, and writes with a bad inner packet. */
    public long malformedDropped;
  }

  private TunOffload() {
  }

  /**
   * Cuts one read ({@code read}'s readable bytes: virtio-net header, then the packet) into inner
   * packets and hands each to {@code out}, valid during the call only: a packet that needs no
   * segmenting is a slice of {@code read} (its checksum completed in place), segments are built one
   * after the other in {@code scratch}. Returns the number of packets handed over, or -1 when the
   * header or the packet is malformed (nothing handed over; counted in {@code counters}).
   *
   * @param maxSegment the largest inner packet (the MTU); {@code scratch} must hold it
   */
  public static int split(ByteBuf read, ByteBuf scratch, int maxSegment, Counters counters, Consumer<ByteBuf> out) {
    int start = read.readerIndex();
    int length = read.readableBytes() - VNET_HDR_LEN;
    if (length < 1) {
      return malformed(counters);
    }
    int flags = read.getUnsignedByte(start);
    int gsoType = read.getUnsignedByte(start + 1) & ~GSO_ECN;
    int gsoSize = read.getUnsignedShortLE(start + 4);
    int csumStart = read.getUnsignedShortLE(start + 6);
    int csumOffset = read.getUnsignedShortLE(start + 8);
    int p = start + VNET_HDR_LEN;
    if (gsoType == GSO_NONE) {
      if ((flags & F_NEEDS_CSUM) != 0) {
        if (csumStart + csumOffset + 2 > length || csumOffset < 0) {
          return malformed(counters);
        }
        // The field holds the pseudo-header sum (CHECKSUM_PARTIAL): sum from csum_start to the end.
        int sum = InetChecksum.fold(InetChecksum.sum(read, p + csumStart, length - csumStart, 0));
        read.setShort(p + csumStart + csumOffset, ~sum);
      }
      out.accept(read.slice(p, length));
      return 1;
    }
    int version = read.getUnsignedByte(p) >> 4;
    boolean tcp = gsoType == GSO_TCPV4 || gsoType == GSO_TCPV6;
    boolean udp = gsoType == GSO_UDP_L4;
    boolean versionFits = gsoType == GSO_TCPV4 ? version == 4
        : gsoType == GSO_TCPV6 ? version == 6
        : udp && (version == 4 || version == 6);
    // GSO_UDP (UFO) is never offered: only TCP and UDP_L4 (USO) segmentation are asked for.
    if (!versionFits || gsoSize < 1 || (flags & F_NEEDS_CSUM) == 0) {
      return malformed(counters);
    }
    // The IP header (with any IPv6 extension headers) ends where the transport checksum starts;
    // hdr_len from the kernel is a hint only (wireguard-go recomputes it too).
    int ipHeader = csumStart;
    if (version == 4 ? ipHeader != ipv4HeaderLength(read, p) || ipHeader < 20 : ipHeader < 40) {
      return malformed(counters);
    }
    int l4Header = tcp ? (ipHeader + 13 <= length ? (read.getUnsignedByte(p + ipHeader + 12) >> 4) * 4 : 0) : 8;
    if (l4Header < (tcp ? 20 : 8) || ipHeader + l4Header > length
        || csumOffset != (tcp ? 16 : 6)) {
      return malformed(counters);
    }
    int headers = ipHeader + l4Header;
    int payload = length - headers;
    if (payload < 1 || headers + Math.min(gsoSize, payload) > maxSegment || headers + gsoSize > scratch.capacity()) {
      return malformed(counters);
    }
    int segments = (payload + gsoSize - 1) / gsoSize;
    long firstSeq = tcp ? read.getUnsignedInt(p + ipHeader + 4) : 0;
    int firstId = version == 4 ? read.getUnsignedShort(p + 4) : 0;
    int tcpFlags = tcp ? read.getUnsignedByte(p + ipHeader + 13) : 0;
    for (int i = 0; i < segments; i++) {
      int chunk = Math.min(gsoSize, payload - i * gsoSize);
      int total = headers + chunk;
      scratch.clear();
      scratch.writeBytes(read, p, headers);
      scratch.writeBytes(read, p + headers + i * gsoSize, chunk);
      int s = scratch.readerIndex();
      if (version == 4) {
        scratch.setShort(s + 2, total);
        scratch.setShort(s + 4, firstId + i);
        scratch.setShort(s + 10, 0);
        scratch.setShort(s + 10, ~InetChecksum.fold(InetChecksum.sum(scratch, s, ipHeader, 0)));
      } else {
        scratch.setShort(s + 4, total - 40);
      }
      int l4 = s + ipHeader;
      if (tcp) {
        scratch.setInt(l4 + 4, (int) (firstSeq + (long) i * gsoSize));
        int segmentFlags = tcpFlags;
        if (i < segments - 1) {
          segmentFlags &= ~(TCP_FIN | TCP_PSH);
        }
        if (i > 0) {
          // The kernel's own TSO sends CWR on the first segment only (tcp_gso_segment).
          segmentFlags &= ~TCP_CWR;
        }
        scratch.setByte(l4 + 13, segmentFlags);
      } else {
        scratch.setShort(l4 + 4, l4Header + chunk);
      }
      scratch.setShort(l4 + csumOffset, 0);
      long pseudo = InetChecksum.pseudoHeader(scratch, s, version, tcp ? PROTO_TCP : PROTO_UDP, total - ipHeader);
      int sum = InetChecksum.fold(InetChecksum.sum(scratch, l4, total - ipHeader, pseudo));
      int checksum = ~sum & 0xffff;
      // UDP: a computed 0 is sent as 0xffff (0 means "no checksum", RFC 768).
      scratch.setShort(l4 + csumOffset, udp && checksum == 0 ? 0xffff : checksum);
      out.accept(scratch);
    }
    if (segments > 1) {
      counters.superPacketsRead++;
      counters.segmentsRead += segments;
    }
    return segments;
  }

  /**
   * Turns {@code packets} (bare IP packets, in the order they are to be written; ownership taken,
   * all released here) into writes for the TUN fd, each starting with its virtio-net header, handed
   * to {@code out} in order (ownership passes). A packet whose IP header does not hold together
   * (length fields against the bytes, truncated headers) is dropped and counted, as the kernel
   * would drop it; the rest is coalesced or passed one by one.
   */
  public static void coalesce(List<ByteBuf> packets, ByteBufAllocator allocator, Counters counters,
      Consumer<ByteBuf> out) {
    Flow[] flows = new Flow[Math.min(MAX_OPEN_FLOWS, packets.size())];
    int open = 0;
    Object[] writes = new Object[packets.size()];
    int count = 0;
    for (ByteBuf packet : packets) {
      try {
        int shape = shape(packet);
        if (shape == MALFORMED) {
          counters.malformedDropped++;
          continue;
        }
        if (shape == CANDIDATE) {
          Flow joined = null;
          for (int f = open - 1; f >= 0 && joined == null; f--) {
            if (flows[f].append(packet, allocator)) {
              joined = flows[f];
            }
          }
          if (joined != null) {
            continue;
          }
          Flow flow = new Flow(packet);
          if (open == flows.length && open > 0) {
            // Full: the oldest flow stops taking segments (it keeps its place in the output).
            System.arraycopy(flows, 1, flows, 0, open - 1);
            open--;
          }
          if (flows.length > 0) {
            flows[open++] = flow;
          }
          writes[count++] = flow;
        } else {
          writes[count++] = single(packet, allocator, 0);
        }
      } finally {
        packet.release();
      }
    }
    for (int i = 0; i < count; i++) {
      if (writes[i] instanceof Flow flow) {
        if (flow.segments > 1) {
          counters.superPacketsWritten++;
          counters.segmentsCoalesced += flow.segments;
        } else {
          counters.passedOneByOne++;
        }
        out.accept(flow.finish(allocator));
      } else {
        counters.passedOneByOne++;
        out.accept((ByteBuf) writes[i]);
      }
    }
  }

  /**
   * How many inner packets a prepared write (header, then packet) carries: 1, or the segments of a
   * GSO super-packet.
   */
  public static int segments(ByteBuf write) {
    int start = write.readerIndex();
    if (write.readableBytes() < VNET_HDR_LEN || write.getUnsignedByte(start + 1) == GSO_NONE) {
      return 1;
    }
    int gsoSize = write.getUnsignedShortLE(start + 4);
    int payload = write.readableBytes() - VNET_HDR_LEN - write.getUnsignedShortLE(start + 2);
    return gsoSize == 0 || payload <= 0 ? 1 : (payload + gsoSize - 1) / gsoSize;
  }

  /** {@code packet} behind a virtio-net header with {@code flags} and no GSO, in a new direct buffer. */
  static ByteBuf single(ByteBuf packet, ByteBufAllocator allocator, int flags) {
    int length = packet.readableBytes();
    ByteBuf write = allocator.directBuffer(VNET_HDR_LEN + length);
    write.writeByte(flags).writeZero(VNET_HDR_LEN - 1);
    write.writeBytes(packet, packet.readerIndex(), length);
    return write;
  }

  private static final int MALFORMED = -1;
  private static final int OTHER = 0;
  private static final int CANDIDATE = 1;

  /** Whether {@code packet} is malformed, a TCP segment that may be coalesced, or anything else. */
  private static int shape(ByteBuf packet) {
    int p = packet.readerIndex();
    int length = packet.readableBytes();
    if (length < 1) {
      return MALFORMED;
    }
    int version = packet.getUnsignedByte(p) >> 4;
    int ipHeader;
    int protocol;
    if (version == 4) {
      ipHeader = length >= 20 ? ipv4HeaderLength(packet, p) : 0;
      if (ipHeader < 20 || ipHeader > length || packet.getUnsignedShort(p + 2) != length) {
        return MALFORMED;
      }
      int fragment = packet.getUnsignedShort(p + 6);
      // MF set or a fragment offset: not a whole segment. IP options (header > 20): kept apart.
      if ((fragment & 0x3fff) != 0 || ipHeader != 20) {
        return OTHER;
      }
      protocol = packet.getUnsignedByte(p + 9);
    } else if (version == 6) {
      ipHeader = 40;
      if (length < 40 || packet.getUnsignedShort(p + 4) != length - 40) {
        return MALFORMED;
      }
      // Extension headers (next header not TCP directly): passed one by one.
      protocol = packet.getUnsignedByte(p + 6);
    } else {
      return MALFORMED;
    }
    if (protocol != PROTO_TCP) {
      return OTHER;
    }
    if (ipHeader + 20 > length) {
      return MALFORMED;
    }
    int tcpHeader = (packet.getUnsignedByte(p + ipHeader + 12) >> 4) * 4;
    if (tcpHeader < 20 || ipHeader + tcpHeader > length) {
      return MALFORMED;
    }
    int flags = packet.getUnsignedByte(p + ipHeader + 13);
    if ((flags != TCP_ACK && flags != (TCP_ACK | TCP_PSH)) || ipHeader + tcpHeader == length) {
      return OTHER;
    }
    // A wrong checksum must stay wrong for the kernel to see: a super-packet is checksummed anew.
    int sum = InetChecksum.fold(InetChecksum.sum(packet, p + ipHeader, length - ipHeader,
        InetChecksum.pseudoHeader(packet, p, version, PROTO_TCP, length - ipHeader)));
    return sum == 0xffff ? CANDIDATE : OTHER;
  }

  /** One TCP flow's run of contiguous segments, built into one buffer once a second one joins. */
  private static final class Flow {
    private final ByteBuf head;
    private final int version;
    private final int ipHeader;
    private final int tcpHeader;
    private final int gsoSize;
    private ByteBuf merged;
    private int segments = 1;
    private int lastPayload;
    private boolean closed;
    private long nextSeq;

    Flow(ByteBuf packet) {
      this.head = packet.retain();
      int p = packet.readerIndex();
      this.version = packet.getUnsignedByte(p) >> 4;
      this.ipHeader = version == 4 ? 20 : 40;
      this.tcpHeader = (packet.getUnsignedByte(p + ipHeader + 12) >> 4) * 4;
      this.gsoSize = packet.readableBytes() - ipHeader - tcpHeader;
      this.lastPayload = gsoSize;
      this.nextSeq = (packet.getUnsignedInt(p + ipHeader + 4) + gsoSize) & 0xffffffffL;
      this.closed = (packet.getUnsignedByte(p + ipHeader + 13) & TCP_PSH) != 0;
    }

    /** Appends {@code packet} if it continues this flow in order; false (untouched) otherwise. */
    boolean append(ByteBuf packet, ByteBufAllocator allocator) {
      int p = packet.readerIndex();
      int h = head.readerIndex();
      int length = packet.readableBytes();
      if (closed || lastPayload != gsoSize || (packet.getUnsignedByte(p) >> 4) != version) {
        return false;
      }
      int tcp = p + ipHeader;
      int headTcp = h + ipHeader;
      int payload = length - ipHeader - tcpHeader;
      if ((packet.getUnsignedByte(tcp + 12) >> 4) * 4 != tcpHeader || payload > gsoSize
          || packet.getUnsignedInt(tcp + 4) != nextSeq
          || VNET_HDR_LEN + ipHeader + tcpHeader + (long) gsoSize * segments + payload > VNET_HDR_LEN + MAX_SUPER_PACKET
          // same ports, same ACK number, same window
          || packet.getInt(tcp) != head.getInt(headTcp) || packet.getInt(tcp + 8) != head.getInt(headTcp + 8)
          || packet.getShort(tcp + 14) != head.getShort(headTcp + 14)
          || !sameAddresses(packet, p) || !sameIpFields(packet, p)
          || !InetChecksum.equalRange(packet, tcp + 20, head, headTcp + 20, tcpHeader - 20)) {
        return false;
      }
      if (merged == null) {
        merged = allocator.directBuffer(VNET_HDR_LEN + MAX_SUPER_PACKET);
        merged.writeZero(VNET_HDR_LEN);
        merged.writeBytes(head, h, head.readableBytes());
      }
      merged.writeBytes(packet, tcp + tcpHeader, payload);
      segments++;
      lastPayload = payload;
      nextSeq = (nextSeq + payload) & 0xffffffffL;
      if ((packet.getUnsignedByte(tcp + 13) & TCP_PSH) != 0) {
        // PSH ends a run: the kernel's GRO flushes on it too.
        merged.setByte(VNET_HDR_LEN + ipHeader + 13, TCP_ACK | TCP_PSH);
        closed = true;
      }
      return true;
    }

    private boolean sameAddresses(ByteBuf packet, int p) {
      int h = head.readerIndex();
      return version == 4
          ? packet.getLong(p + 12) == head.getLong(h + 12)
          : InetChecksum.equalRange(packet, p + 8, head, h + 8, 32);
    }

    private boolean sameIpFields(ByteBuf packet, int p) {
      int h = head.readerIndex();
      if (version == 4) {
        // TOS, DF/reserved bits, TTL
        return packet.getByte(p + 1) == head.getByte(h + 1)
            && (packet.getByte(p + 6) & 0xe0) == (head.getByte(h + 6) & 0xe0)
            && packet.getByte(p + 8) == head.getByte(h + 8);
      }
      // version/traffic class, flow label, hop limit
      return packet.getInt(p) == head.getInt(h) && packet.getByte(p + 7) == head.getByte(h + 7);
    }

    /** The write: the head alone, or the super-packet with its GSO header and lengths set. */
    ByteBuf finish(ByteBufAllocator allocator) {
      try {
        if (merged == null) {
          // Checksum verified above: the kernel need not verify it again.
          return single(head, allocator, F_DATA_VALID);
        }
        int total = merged.readableBytes() - VNET_HDR_LEN;
        int s = VNET_HDR_LEN;
        merged.setByte(0, F_NEEDS_CSUM);
        merged.setByte(1, version == 4 ? GSO_TCPV4 : GSO_TCPV6);
        merged.setShortLE(2, ipHeader + tcpHeader);
        merged.setShortLE(4, gsoSize);
        merged.setShortLE(6, ipHeader);
        merged.setShortLE(8, 16);
        if (version == 4) {
          merged.setShort(s + 2, total);
          merged.setShort(s + 10, 0);
          merged.setShort(s + 10, ~InetChecksum.fold(InetChecksum.sum(merged, s, 20, 0)));
        } else {
          merged.setShort(s + 4, total - 40);
        }
        // NEEDS_CSUM: the field holds the pseudo-header sum, not complemented; the stack adds the rest.
        long pseudo = InetChecksum.pseudoHeader(merged, s, version, PROTO_TCP, total - ipHeader);
        merged.setShort(s + ipHeader + 16, InetChecksum.fold(pseudo));
        return merged;
      } finally {
        head.release();
      }
    }
  }

  static int ipv4HeaderLength(ByteBuf packet, int p) {
    return (packet.getUnsignedByte(p) & 0x0f) * 4;
  }

  private static int malformed(Counters counters) {
    counters.malformedDropped++;
    return -1;
  }
}
