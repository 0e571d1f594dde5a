package io.ringway.tun.impl;

import io.ringway.spi.config.TunPeerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The peers of one bridge instance: routing by destination prefix, lookup by static key. A config
 * change builds new tables and swaps them; a peer whose public key stays keeps its sessions,
 * counters and learned endpoint, so changing one peer never interrupts another.
 */
final class PeerSet {

  private final DropCounters totals;
  private List<Peer> peers = List.of();
  private Map<String, Peer> byKey = Map.of();
  private PrefixTable<Peer> routes = new PrefixTable<>();

  PeerSet(DropCounters totals) {
    this.totals = totals;
  }

  /**
   * Resolves every configured endpoint ({@code host:port}, {@code [v6]:port}); may ask DNS, so call
   * it off the event loop. Keys are the endpoint strings.
   */
  static Map<String, InetSocketAddress> resolve(List<TunPeerConfig> configs) {
    Map<String, InetSocketAddress> resolved = new HashMap<>();
    for (TunPeerConfig peer : configs) {
      if (peer.endpoint() != null && !resolved.containsKey(peer.endpoint())) {
        resolved.put(peer.endpoint(), parseEndpoint(peer.name(), peer.endpoint()));
      }
    }
    return resolved;
  }

  /**
   * Replaces the peer list with {@code configs}; returns the peers that left (their sessions are
   * the caller's to retire). Throws, changing nothing, when a key or prefix is invalid.
   */
  List<Peer> apply(List<TunPeerConfig> configs, Map<String, InetSocketAddress> endpoints) {
    List<Peer> nextPeers = new ArrayList<>();
    Map<String, Peer> nextByKey = new HashMap<>();
    PrefixTable<Peer> nextRoutes = new PrefixTable<>();
    Map<Peer, TunPeerConfig> updates = new HashMap<>();
    Map<Peer, PrefixTable<Boolean>> sources = new HashMap<>();
    for (TunPeerConfig config : configs) {
      byte[] key = StaticKeyPair.decodeKey(config.publicKey(), "peer " + config.name() + ": public key");
      String keyText = Base64.getEncoder().encodeToString(key);
      PrefixTable<Boolean> allowed = new PrefixTable<>();
      Peer peer = byKey.get(keyText);
      if (peer == null) {
        peer = new Peer(config, key, allowed, config.endpoint() == null ? null : endpoints.get(config.endpoint()));
        peer.drops.forwardTo(totals);
      }
      if (nextByKey.putIfAbsent(keyText, peer) != null) {
        throw new IllegalArgumentException("peer " + config.name() + ": public key listed twice");
      }
      try {
        for (String prefix : config.allowedPrefixes()) {
          allowed.put(prefix, Boolean.TRUE);
          nextRoutes.put(prefix, peer);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("peer " + config.name() + ": " + e.getMessage(), e);
      }
      updates.put(peer, config);
      sources.put(peer, allowed);
      nextPeers.add(peer);
    }
    // Validated: now mutate the surviving peers and swap the tables.
    for (Peer peer : nextPeers) {
      TunPeerConfig config = updates.get(peer);
      if (config.endpoint() != null && !Objects.equals(config.endpoint(), peer.config.endpoint())) {
        peer.endpoint = endpoints.get(config.endpoint());
      }
      peer.config = config;
      peer.allowedSources = sources.get(peer);
    }
    List<Peer> removed = new ArrayList<>(peers);
    removed.removeAll(nextPeers);
    peers = List.copyOf(nextPeers);
    byKey = nextByKey;
    routes = nextRoutes;
    return removed;
  }

  /** Every peer's allowed prefixes, for routing by destination address. */
  PrefixTable<Peer> routes() {
    return routes;
  }

  /** The peer with this static public key (Base64), or null. */
  Peer byKey(String publicKeyBase64) {
    return byKey.get(publicKeyBase64);
  }

  List<Peer> all() {
    return peers;
  }

  /** {@code ip:port} of an endpoint, or null. */
  static String format(InetSocketAddress endpoint) {
    if (endpoint == null) {
      return null;
    }
    String host = endpoint.getAddress() == null ? endpoint.getHostString() : endpoint.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + endpoint.getPort();
  }

  private static InetSocketAddress parseEndpoint(String peer, String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    String host = colon < 0 ? "" : endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("peer " + peer + ": endpoint \"" + endpoint + "\" is not host:port");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("peer " + peer + ": endpoint host \"" + host + "\" does not resolve", e);
    }
  }
}
