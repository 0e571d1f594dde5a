package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
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

    /** Where sealed data messages are allocated: the underlay channel's (pooled, direct) allocator. */
    ByteBufAllocator allocator();
  }

  /** Time between handshake retries while an initiation stays unanswered (WireGuard's REKEY_TIMEOUT). */
  static final long RETRY_NANOS = 5_000_000_000L;
  /** Give up retrying after this long and drop what was queued (WireGuard's REKEY_ATTEMPT_TIME). */
  static final long ATTEMPT_NANOS = 90_000_000_000L;

  private static final System.Logger LOG = System.getLogger(Bridge.class.getName());

  private final StaticKeyPair local;
  private final int mtu;
  /** What handshakes offer (as initiator) and accept (as responder); a reload swaps it. */
  private CipherChoice ciphers;
  private final long rekeyNanos;
  private final LongSupplier clock;
  private final DropCounters drops = new DropCounters();
  private final PeerSet peers = new PeerSet(drops);
  private final Map<Integer, Peer.Live> sessions = new HashMap<>();
  private final Map<Integer, Peer> pending = new HashMap<>();
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
    this.ciphers = ciphers;
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
    return WireFormat.DATA_HEADER + mtu + WireFormat.TAG;
  }

  /**
   * Changes the ciphers offered and accepted from the next handshake on; sessions running keep
   * their suite until they are replaced (at the next rekey, within {@code rekeyAfter}).
   */
  public synchronized void ciphers(CipherChoice ciphers) {
    this.ciphers = ciphers;
  }

  public synchronized CipherChoice ciphers() {
    return ciphers;
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
      case WireFormat.TYPE_INITIATION -> onInitiation(ByteBufUtil.getBytes(buffer), sender);
      case WireFormat.TYPE_RESPONSE -> onResponse(ByteBufUtil.getBytes(buffer), sender);
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
          giveUp(peer);
        } else if (!peer.queued.isEmpty() || needsRekey(peer, now)) {
          initiate(peer, now);
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
        .put("cipher", new JsonObject().put("config", ciphers.config())
            .put("offers", new JsonArray(CipherSuite.names(ciphers.suites()))).put("reason", ciphers.reason()))
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
  private void sendData(Peer peer, ByteBuf packet) {
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
        initiate(peer, now);
      }
      return;
    }
    io.sendUdp(live.session().seal(packet, io.allocator()), peer.endpoint);
    peer.lastSentNanos = now;
    peer.txPackets++;
    peer.txBytes += length;
    if (peer.pending == null && needsRekey(peer, now)) {
      initiate(peer, now);
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

  private void initiate(Peer peer, long now) {
    if (peer.endpoint == null) {
      return;
    }
    if (peer.pending != null) {
      pending.remove(peer.pendingIndex);
    }
    if (peer.attemptSinceNanos == 0) {
      peer.attemptSinceNanos = now;
    }
    int index = newIndex();
    peer.pending = new NoiseHandshake.Initiator(local, peer.publicKey, index, mtu, ciphers.suites());
    peer.pendingIndex = index;
    peer.pendingSinceNanos = now;
    pending.put(index, peer);
    io.sendUdp(Unpooled.wrappedBuffer(peer.pending.initiation()), peer.endpoint);
    peer.lastSentNanos = now;
  }

  /** Null (keys wiped) once {@code live} is three rekey intervals old, else {@code live}. */
  private Peer.Live expire(Peer.Live live, long now) {
    if (live != null && now - live.createdNanos() > 3 * rekeyNanos) {
      retire(live);
      return null;
    }
    return live;
  }

  private void giveUp(Peer peer) {
    pending.remove(peer.pendingIndex);
    peer.pending = null;
    peer.attemptSinceNanos = 0;
    while (!peer.queued.isEmpty()) {
      peer.queued.poll();
      peer.drops.drop(DropReason.NO_SESSION);
    }
  }

  private void onInitiation(byte[] message, InetSocketAddress sender) {
    NoiseHandshake.Received received = NoiseHandshake.receive(local, message, drops);
    if (received == null) {
      return;
    }
    Peer peer = peers.byKey(Base64.getEncoder().encodeToString(received.remotePublicKey()));
    if (peer == null) {
      // A well-formed Noise message from a key that is not ours to talk to.
      received.discard();
      drops.drop(DropReason.HANDSHAKE_FAILED);
      return;
    }
    byte[] timestamp = received.timestamp();
    if (peer.lastInitiation != null && Arrays.compareUnsigned(timestamp, peer.lastInitiation) <= 0) {
      // A recorded initiation sent again: answering would replace the peer's pending session.
      received.discard();
      peer.drops.drop(DropReason.REPLAY);
      return;
    }
    peer.lastInitiation = timestamp;
    long now = clock.getAsLong();
    int index = newIndex();
    CipherSuite suite = ciphers.choose(received.offer());
    if (suite == null) {
      // The peer is genuine (its key and timestamp checked out): tell it, so both logs say why.
      io.sendUdp(Unpooled.wrappedBuffer(received.refuse(index)), sender);
      peer.lastSentNanos = now;
      peer.drops.drop(DropReason.NO_COMMON_CIPHER);
      refusedCipher(peer, "peer " + peer.name() + " offers " + CipherSuite.names(received.offer())
          + ", this node accepts only " + CipherSuite.names(ciphers.suites()) + " (tun.cipher: " + ciphers.config()
          + "): no cipher in common, handshake refused");
      return;
    }
    NoiseHandshake.Responded responded = received.accept(suite, index, mtu);
    responded.session().drops().forwardTo(peer.drops);
    if (peer.next != null) {
      retire(peer.next);
    }
    peer.next = new Peer.Live(peer, responded.session(), now, false);
    sessions.put(index, peer.next);
    peer.endpoint = sender;
    peer.handshakes++;
    peer.lastHandshakeNanos = now;
    peer.cipherRefused = false;
    io.sendUdp(Unpooled.wrappedBuffer(responded.response()), sender);
    peer.lastSentNanos = now;
  }

  /** Logs a refused handshake once per peer until a handshake with it succeeds again (retries come every 5 s). */
  private static void refusedCipher(Peer peer, String why) {
    if (!peer.cipherRefused) {
      peer.cipherRefused = true;
      LOG.log(System.Logger.Level.WARNING, "tun-bridge: " + why);
    }
  }

  private void onResponse(byte[] message, InetSocketAddress sender) {
    if (message.length < WireFormat.RESPONSE) {
      drops.drop(DropReason.TRUNCATED);
      return;
    }
    int receiver = ByteBuffer.wrap(message).getInt(5);
    Peer peer = pending.get(receiver);
    if (peer == null) {
      drops.drop(DropReason.UNKNOWN_INDEX);
      return;
    }
    NoiseHandshake.Initiator initiator = peer.pending;
    TunnelSession session = initiator.complete(message, peer.drops);
    if (initiator.refused()) {
      refusedCipher(peer, "peer " + peer.name() + " refused the handshake: it accepts none of the ciphers this node"
          + " offers, " + CipherSuite.names(initiator.offer()) + " (tun.cipher: " + ciphers.config() + ")");
    }
    if (session == null) {
      // complete() wiped the half-done handshake on a bad response: the next retry starts afresh.
      if (message.length == WireFormat.RESPONSE && message[0] == WireFormat.TYPE_RESPONSE) {
        pending.remove(receiver);
        peer.pending = null;
      }
      return;
    }
    long now = clock.getAsLong();
    pending.remove(receiver);
    peer.pending = null;
    peer.attemptSinceNanos = 0;
    session.drops().forwardTo(peer.drops);
    Peer.Live live = new Peer.Live(peer, session, now, true);
    sessions.put(session.localIndex(), live);
    promote(peer, live);
    peer.endpoint = sender;
    peer.handshakes++;
    peer.lastHandshakeNanos = now;
    peer.cipherRefused = false;
    // The responder sends only once it has seen data on the new keys: confirm them at once.
    if (peer.queued.isEmpty()) {
      sendData(peer, Unpooled.EMPTY_BUFFER);
    }
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
  private void promote(Peer peer, Peer.Live live) {
    if (peer.previous != null) {
      retire(peer.previous);
    }
    peer.previous = peer.current;
    peer.current = live;
    while (!peer.queued.isEmpty() && peer.current == live) {
      sendData(peer, Unpooled.wrappedBuffer(peer.queued.poll()));
    }
  }

  private void retire(Peer.Live live) {
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
    if (peer.pending != null) {
      pending.remove(peer.pendingIndex);
      peer.pending = null;
    }
    peer.queued.clear();
  }

  private int newIndex() {
    int index;
    do {
      index = ThreadLocalRandom.current().nextInt();
    } while (index == 0 || sessions.containsKey(index) || pending.containsKey(index));
    return index;
  }
}
