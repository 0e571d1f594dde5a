package io.ringway.tun.impl;

import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Base64;

/**
 * One tunnel peer on one event loop: its config, where it is now, its sessions and counters.
 * Sessions: {@code current} carries outgoing data; {@code previous} still opens data sealed before
 * the last handshake; {@code next} is a session this node answered as responder, promoted to
 * current only when the first data arrives on it (key confirmation, as WireGuard). Plain fields:
 * only the owning loop touches them.
 */
final class Peer {

  /** A session, when its handshake finished, and whether this node initiated it. */
  record Live(Peer peer, TunnelSession session, long createdNanos, boolean initiator) {
  }

  /** Packets held while a handshake runs; beyond this the oldest is dropped. */
  static final int QUEUE_LIMIT = 32;

  final byte[] publicKey;
  final String publicKeyBase64;
  final DropCounters drops = new DropCounters();
  final ArrayDeque<byte[]> queued = new ArrayDeque<>();
  TunPeerConfig config;
  PrefixTable<Boolean> allowedSources;
  InetSocketAddress endpoint;
  Live current;
  Live previous;
  Live next;
  /** Timestamp of the newest initiation accepted from this peer; older or equal ones are replays. */
  byte[] lastInitiation;
  NoiseHandshake.Initiator pending;
  int pendingIndex;
  long pendingSinceNanos;
  /** When the first initiation of the current attempt went out; 0 when no attempt runs. */
  long attemptSinceNanos;
  /** A handshake failed for want of a common cipher and was logged; cleared by the next success. */
  boolean cipherRefused;
  long lastSentNanos;
  long lastHandshakeNanos;
  long handshakes;
  long txPackets;
  long txBytes;
  long rxPackets;
  long rxBytes;

  Peer(TunPeerConfig config, byte[] publicKey, PrefixTable<Boolean> allowedSources, InetSocketAddress endpoint) {
    this.publicKey = publicKey;
    this.publicKeyBase64 = Base64.getEncoder().encodeToString(publicKey);
    this.config = config;
    this.allowedSources = allowedSources;
    this.endpoint = endpoint;
  }

  String name() {
    return config.name();
  }

  /** Holds a packet until a session exists; drops (and counts) the oldest when full. */
  void enqueue(byte[] packet) {
    if (queued.size() == QUEUE_LIMIT) {
      queued.poll();
      drops.drop(DropReason.NO_SESSION);
    }
    queued.add(packet);
  }

  JsonObject statsJson(long nowNanos) {
    JsonObject drops = new JsonObject();
    this.drops.snapshot().forEach((reason, count) -> drops.put(reason.name(), count));
    return new JsonObject()
        .put("peer", config.name())
        .put("publicKey", publicKeyBase64)
        .put("endpoint", PeerSet.format(endpoint))
        .put("session", current != null)
        .put("cipher", current == null ? null : current.session().suite().configName())
        .put("handshakes", handshakes)
        .put("handshakeAgeMillis", lastHandshakeNanos == 0 ? -1 : (nowNanos - lastHandshakeNanos) / 1_000_000)
        .put("txPackets", txPackets)
        .put("txBytes", txBytes)
        .put("rxPackets", rxPackets)
        .put("rxBytes", rxBytes)
        .put("queued", queued.size())
        .put("drops", drops);
  }
}
