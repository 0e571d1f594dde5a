package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The tunnel's data plane on one event loop: IP packets from the TUN device are routed by
 * destination to a peer, sealed and sent over UDP; datagrams from peers are handshakes or data,
 * opened, checked against the sender's allowed prefixes and written to the TUN device. Handshakes
 * start when a packet waits for a peer without a session (this node initiates) or when a peer's
 * initiation arrives (this node responds). Every refusal is counted by {@link DropReason}.
 *
 * <p>The I/O ends are plugged in by {@link #attach}. On a multi-queue device several event loops
 * ("lanes", one TUN queue and one UDP socket each) share one bridge, because the kernel steers a
 * session's packets to any of them (the TUN queue by the inner flow's hash, the UDP socket by
 * SO_REUSEPORT's hash of the datagram's addresses). Every entry point therefore holds the bridge's
 * monitor: the state machine, the session table and the AEAD (about 1.5 µs of the ~30 µs a packet
 * costs a bridge here) run one lane at a time, while the TUN and UDP syscalls, most of that cost,
 * run on each lane's own loop outside it. With one lane the monitor is never contended.
 */
public final class Bridge {

  /**
   * Interface between the core and its sockets: TUN writes and UDP sends. Both take ownership of the
   * buffer they are given: they release it once written, and also when they drop it.
   */
  public interface Io {
    /** Writes one IP packet to the TUN device; false when it had to be dropped. */
    boolean writeTun(ByteBuf packet);

    void sendUdp(ByteBuf datagram, InetSocketAddress to);

    /**
     * Sends a datagram of {@code length} bytes that {@code writer} writes at the writer index of the buffer
     * it is given (the underlay's pending batch where it has one: a data message is sealed in place).
     * If {@code writer} throws, nothing is sent.
     */
    void sendUdp(int length, InetSocketAddress to, Consumer<ByteBuf> writer);
  }

  /** Time between handshake retries while an initiation stays unanswered (WireGuard's REKEY_TIMEOUT). */
  static final long RETRY_NANOS = 5_000_000_000L;
  /** Give up retrying after this long and drop what was queued (WireGuard's REKEY_ATTEMPT_TIME). */
  static final long ATTEMPT_NANOS = 90_000_000_000L;

  private final StaticKeyPair local;
  private final int mtu;
  private final long rekeyNanos;
  private final LongSupplier clock;
  private final DropCounters drops = new DropCounters();
  private final PeerSet peers = new PeerSet(drops);
  private final Map<Integer, Peer.Live> sessions = new HashMap<>();
  private final Handshakes handshakes;
  /** An address copied out of a packet for the prefix tables, which walk arrays; reused per packet. */
  private final byte[] address = new byte[16];
  /** The lane every timer-driven send (retries, rekeys, keepalives) goes out on. */
  private Io main;
  /** The lane whose call holds the monitor: replies and sealed packets leave on its socket. */
  private Io io;

  /**
   * @param local this node's static key pair
   * @param mtu the TUN MTU: the largest inner packet sealed or accepted
   * @param rekeyAfterSeconds age after which sending on a session this node initiated starts a new
   *     handshake (twice that for one it answered); a session is dropped at three times this age
   * @param clock nanoseconds, monotonic
   * @param ciphers the data ciphers offered and accepted in handshakes
   */
  public Bridge(StaticKeyPair local, int mtu, int rekeyAfterSeconds, LongSupplier clock, CipherChoice ciphers) {
    this.local = local;
    this.handshakes = new Handshakes(this, local, mtu, clock, drops, peers, sessions, ciphers);
    this.mtu = mtu;
    this.rekeyNanos = rekeyAfterSeconds * 1_000_000_000L;
    this.clock = clock;
  }

  /** Plugs in the sockets; packets arriving before this are not expected (the sockets do not exist yet). */
  public synchronized void attach(Io io) {
    this.main = io;
    this.io = io;
  }

  /** Largest datagram a peer may send: a full-MTU inner packet plus header and tag. */
  public int maxDatagram() {
    return TunnelSession.sealedLength(mtu);
  }

  /**
   * Changes the ciphers offered and accepted from the next handshake on; sessions running keep
   * their suite until they are replaced (at the next rekey, within {@code rekeyAfter}).
   */
  public synchronized void ciphers(CipherChoice ciphers) {
    handshakes.ciphers(ciphers);
  }

  public synchronized CipherChoice ciphers() {
    return handshakes.ciphers();
  }

  /** Resolves peer endpoints (DNS, so off the loop) for {@link #applyPeers}. */
  public static Map<String, InetSocketAddress> resolveEndpoints(List<TunPeerConfig> peers) {
    return PeerSet.resolve(peers);
  }

  /**
   * Replaces the peer list. Peers that stay (same public key) keep sessions and learned endpoints;
   * peers that left lose theirs. Throws, changing nothing, on an invalid key or prefix.
   */
  public synchronized void applyPeers(List<TunPeerConfig> configs, Map<String, InetSocketAddress> endpoints) {
    for (Peer gone : peers.apply(configs, endpoints)) {
      forget(gone);
    }
  }

  /**
   * One IP packet read from the TUN device; the buffer stays the caller's and is only valid during
   * the call (it is sealed from where it lies, and copied only if it must wait for a handshake).
   */
  public void onTunPacket(ByteBuf buffer) {
    onTunPacket(buffer, main);
  }

  /** As {@link #onTunPacket(ByteBuf)}, read from lane {@code via}'s TUN queue: the sealed packet leaves on its socket. */
  public synchronized void onTunPacket(ByteBuf buffer, Io via) {
    io = via;
    int version = IpPackets.version(buffer);
    if (version == 0) {
      drops.drop(DropReason.NOT_IP);
      return;
    }
    Peer peer = lookup(peers.routes(), buffer, IpPackets.destinationOffset(version), version);
    if (peer == null) {
      drops.drop(DropReason.NO_ROUTE);
      return;
    }
    sendData(peer, buffer);
  }

  /**
   * One datagram from the underlay; the buffer stays the caller's, who releases it after the call.
   * A data message is decrypted in place and a retained slice of it goes to the TUN device.
   */
  public void onDatagram(ByteBuf buffer, InetSocketAddress sender) {
    onDatagram(buffer, sender, main);
  }

  /** As {@link #onDatagram(ByteBuf, InetSocketAddress)}, from lane {@code via}'s socket: its TUN queue takes the packet. */
  public synchronized void onDatagram(ByteBuf buffer, InetSocketAddress sender, Io via) {
    io = via;
    int length = buffer.readableBytes();
    if (length == 0) {
      drops.drop(DropReason.TRUNCATED);
      return;
    }
    switch (buffer.getByte(buffer.readerIndex())) {
      case WireFormat.TYPE_DATA -> onData(buffer, length, sender);
      // Handshakes are rare and noise-java takes arrays: copying them costs nothing that matters.
      case WireFormat.TYPE_INITIATION -> handshakes.onInitiation(ByteBufUtil.getBytes(buffer), sender, io);
      case WireFormat.TYPE_RESPONSE -> handshakes.onResponse(ByteBufUtil.getBytes(buffer), sender);
      default -> drops.drop(DropReason.UNKNOWN_TYPE);
    }
  }

  /** Called about once a second: handshake retries, rekeys, keepalives, expiry. */
  public synchronized void tick() {
    io = main;
    long now = clock.getAsLong();
    for (Peer peer : peers.all()) {
      peer.previous = expire(peer.previous, now);
      peer.current = expire(peer.current, now);
      peer.next = expire(peer.next, now);
      boolean retryDue = peer.pending != null ? now - peer.pendingSinceNanos >= RETRY_NANOS : !peer.queued.isEmpty();
      if (retryDue) {
        if (peer.attemptSinceNanos != 0 && now - peer.attemptSinceNanos >= ATTEMPT_NANOS) {
          handshakes.giveUp(peer);
        } else if (!peer.queued.isEmpty() || needsRekey(peer, now)) {
          handshakes.initiate(peer, now, io);
        }
      }
      int keepalive = peer.config.persistentKeepaliveSeconds();
      if (keepalive > 0 && peer.endpoint != null && now - peer.lastSentNanos >= keepalive * 1_000_000_000L) {
        sendData(peer, Unpooled.EMPTY_BUFFER);
      }
    }
  }

  /** Node-wide drops (every peer's included) and per-peer counters. */
  public synchronized JsonObject statsJson() {
    long now = clock.getAsLong();
    JsonObject total = new JsonObject();
    drops.snapshot().forEach((reason, count) -> total.put(reason.name(), count));
    return new JsonObject()
        .put("publicKey", local.publicKeyBase64())
        .put("cipher", new JsonObject().put("config", handshakes.ciphers().config())
            .put("offers", new JsonArray(CipherSuite.names(handshakes.ciphers().suites())))
            .put("reason", handshakes.ciphers().reason()))
        .put("drops", total)
        .put("peers", new JsonArray(peers.all().stream().map(p -> p.statsJson(now)).toList()));
  }

  /** Drops every session's keys. */
  public synchronized void close() {
    for (Peer peer : peers.all()) {
      forget(peer);
    }
  }

  /** Seals and sends {@code packet} (only read, never released here), or queues a copy for a handshake. */
  void sendData(Peer peer, ByteBuf packet) {
    long now = clock.getAsLong();
    int length = packet.readableBytes();
    if (length > mtu) {
      peer.drops.drop(DropReason.OVERSIZED);
      return;
    }
    if (peer.endpoint == null) {
      peer.drops.drop(DropReason.NO_ENDPOINT);
      return;
    }
    Peer.Live live = peer.current;
    if (live == null || live.session().sent() >= ReplayWindow.REJECT_AFTER - 1) {
      if (length > 0) {
        peer.enqueue(ByteBufUtil.getBytes(packet));
      }
      // A session this node answered is about to be confirmed by the initiator's first packet;
      // the queue goes out then (or the next tick initiates after all).
      if (peer.pending == null && peer.next == null) {
        handshakes.initiate(peer, now, io);
      }
      return;
    }
    TunnelSession session = live.session();
    io.sendUdp(TunnelSession.sealedLength(length), peer.endpoint, target -> session.sealInto(packet, target));
    peer.lastSentNanos = now;
    peer.txPackets++;
    peer.txBytes += length;
    if (peer.pending == null && needsRekey(peer, now)) {
      handshakes.initiate(peer, now, io);
    }
  }

  /**
   * The initiator of the current session rekeys when it is {@code rekeyAfter} old; the responder only
   * at twice that, as a backstop. Both rekeying at once would churn sessions and strand packets
   * sealed under keys the other side just retired.
   */
  private boolean needsRekey(Peer peer, long now) {
    Peer.Live live = peer.current;
    return live != null && now - live.createdNanos() >= (live.initiator() ? rekeyNanos : 2 * rekeyNanos);
  }

  /** Null (keys wiped) once {@code live} is three rekey intervals old, else {@code live}. */
  private Peer.Live expire(Peer.Live live, long now) {
    if (live != null && now - live.createdNanos() > 3 * rekeyNanos) {
      retire(live);
      return null;
    }
    return live;
  }

  private void onData(ByteBuf buffer, int length, InetSocketAddress sender) {
    if (length < 5) {
      drops.drop(DropReason.TRUNCATED);
      return;
    }
    Peer.Live live = sessions.get(buffer.getInt(buffer.readerIndex() + 1));
    if (live == null) {
      drops.drop(DropReason.UNKNOWN_INDEX);
      return;
    }
    ByteBuf packet = live.session().open(buffer);
    if (packet == null) {
      return;
    }
    boolean handedOver = false;
    try {
      Peer peer = live.peer();
      // Authenticated and fresh: this is where the peer is now (roaming).
      peer.endpoint = sender;
      if (live == peer.next) {
        peer.next = null;
        promote(peer, live);
      }
      int packetLength = packet.readableBytes();
      peer.rxPackets++;
      peer.rxBytes += packetLength;
      if (packetLength == 0) {
        return;
      }
      int version = IpPackets.version(packet);
      if (version == 0) {
        peer.drops.drop(DropReason.NOT_IP);
      } else if (lookup(peer.allowedSources, packet, IpPackets.sourceOffset(version), version) == null) {
        peer.drops.drop(DropReason.SOURCE_NOT_ALLOWED);
      } else {
        handedOver = true;
        if (!io.writeTun(packet)) {
          peer.drops.drop(DropReason.TUN_BUSY);
        }
      }
    } finally {
      if (!handedOver) {
        packet.release();
      }
    }
  }

  /** What {@code table} maps the address at {@code offset} of an IPv{@code version} packet to (longest prefix). */
  private <T> T lookup(PrefixTable<T> table, ByteBuf packet, int offset, int version) {
    int length = IpPackets.addressLength(version);
    packet.getBytes(packet.readerIndex() + offset, address, 0, length);
    return table.lookup(address, 0, length);
  }

  /** Makes {@code live} the sending session and sends what waited for it. */
  void promote(Peer peer, Peer.Live live) {
    if (peer.previous != null) {
      retire(peer.previous);
    }
    peer.previous = peer.current;
    peer.current = live;
    while (!peer.queued.isEmpty() && peer.current == live) {
      sendData(peer, Unpooled.wrappedBuffer(peer.queued.poll()));
    }
  }

  void retire(Peer.Live live) {
    sessions.remove(live.session().localIndex());
    live.session().destroy();
  }

  private void forget(Peer peer) {
    for (Peer.Live live : new Peer.Live[] {peer.previous, peer.current, peer.next}) {
      if (live != null) {
        retire(live);
      }
    }
    peer.previous = peer.current = peer.next = null;
    handshakes.forgetPending(peer);
    peer.queued.clear();
  }
}
