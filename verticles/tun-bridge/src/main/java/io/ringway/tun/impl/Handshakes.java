package io.ringway.tun.impl;

import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The handshake half of a {@link Bridge}: starts initiations, answers (or refuses) the peers' ones
 * and completes its own with their responses, turning each into a session in the bridge's table.
 * The cipher negotiation lives here too: what this node offers and accepts ({@link CipherChoice})
 * and the one log line per peer when a handshake fails for want of a common cipher. Called only by
 * its bridge, under the bridge's monitor.
 */
final class Handshakes {

  private static final System.Logger LOG = System.getLogger(Bridge.class.getName());

  private final Bridge bridge;
  private final StaticKeyPair local;
  private final int mtu;
  private final LongSupplier clock;
  private final DropCounters drops;
  private final PeerSet peers;
  /** The bridge's session table, by local index: new sessions go in, and indexes must not collide. */
  private final Map<Integer, Peer.Live> sessions;
  /** Initiations waiting for their response, by local index. */
  private final Map<Integer, Peer> pending = new HashMap<>();
  /** What handshakes offer (as initiator) and accept (as responder); a reload swaps it. */
  private CipherChoice ciphers;

  Handshakes(Bridge bridge, StaticKeyPair local, int mtu, LongSupplier clock, DropCounters drops, PeerSet peers,
      Map<Integer, Peer.Live> sessions, CipherChoice ciphers) {
    this.bridge = bridge;
    this.local = local;
    this.mtu = mtu;
    this.clock = clock;
    this.drops = drops;
    this.peers = peers;
    this.sessions = sessions;
    this.ciphers = ciphers;
  }

  CipherChoice ciphers() {
    return ciphers;
  }

  void ciphers(CipherChoice ciphers) {
    this.ciphers = ciphers;
  }

  /** Forgets {@code peer}'s half-done initiation, if any. */
  void forgetPending(Peer peer) {
    if (peer.pending != null) {
      pending.remove(peer.pendingIndex);
      peer.pending = null;
    }
  }

  /** Starts (or restarts) a handshake with {@code peer}; the initiation leaves on {@code io}. */
  void initiate(Peer peer, long now, Bridge.Io io) {
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

  /** Ends an attempt that got no answer in time, dropping what waited for it. */
  void giveUp(Peer peer) {
    pending.remove(peer.pendingIndex);
    peer.pending = null;
    peer.attemptSinceNanos = 0;
    while (!peer.queued.isEmpty()) {
      peer.queued.poll();
      peer.drops.drop(DropReason.NO_SESSION);
    }
  }

  /** An initiation from the underlay; the response (or refusal) leaves on {@code io}. */
  void onInitiation(byte[] message, InetSocketAddress sender, Bridge.Io io) {
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
      bridge.retire(peer.next);
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

  /** A response to one of this node's initiations; the key confirmation leaves through the bridge. */
  void onResponse(byte[] message, InetSocketAddress sender) {
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
    bridge.promote(peer, live);
    peer.endpoint = sender;
    peer.handshakes++;
    peer.lastHandshakeNanos = now;
    peer.cipherRefused = false;
    // The responder sends only once it has seen data on the new keys: confirm them at once.
    if (peer.queued.isEmpty()) {
      bridge.sendData(peer, Unpooled.EMPTY_BUFFER);
    }
  }

  /** A fresh nonzero index, used by no session and no pending handshake. */
  private int newIndex() {
    int index;
    do {
      index = ThreadLocalRandom.current().nextInt();
    } while (index == 0 || sessions.containsKey(index) || pending.containsKey(index));
    return index;
  }
}
