package io.ringway.tun.impl;

import io.netty.util.NetUtil;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tunnel side of the cluster's peer registry ({@code ringway.cluster.tun.peers.announce} in,
 * {@code ringway.tun.peers} out): what this node announces about itself, and the peer list made of
 * the configured peers plus the announced ones. Configured peers win: an announced peer whose key,
 * name or prefix is already configured is left out, as is one that is not valid.
 */
public final class MeshPeers {

  private MeshPeers() {
  }

  /**
   * This node as a {@code TunPeerConfig} in JSON: its public key, its tunnel addresses as host
   * prefixes, and its UDP endpoint when {@code tun.listenHost} names one (a wildcard bind has no
   * address others could dial; they then learn it when this node initiates).
   */
  public static JsonObject announcement(String name, StaticKeyPair key, TunBridgeConfig tun, InetSocketAddress bound) {
    JsonArray prefixes = new JsonArray();
    for (String cidr : tun.addresses()) {
      String address = cidr.substring(0, cidr.indexOf('/'));
      prefixes.add(address + (NetUtil.isValidIpV4Address(address) ? "/32" : "/128"));
    }
    byte[] listen = NetUtil.createByteArrayFromIpAddressString(tun.listenHost());
    boolean wildcard = listen == null || new BigInteger(1, listen).signum() == 0;
    String host = tun.listenHost().contains(":") ? "[" + tun.listenHost() + "]" : tun.listenHost();
    return new JsonObject()
        .put("name", name)
        .put("publicKey", key.publicKeyBase64())
        .put("endpoint", wildcard ? null : host + ":" + bound.getPort())
        .put("allowedPrefixes", prefixes)
        .put("persistentKeepaliveSeconds", 0);
  }

  /** {@code configured}, then every valid announced peer that is not this node and clashes with none of them. */
  public static List<TunPeerConfig> merge(List<TunPeerConfig> configured, JsonArray announced, String ownPublicKey) {
    List<TunPeerConfig> peers = new ArrayList<>(configured);
    Set<String> keys = new HashSet<>(Set.of(ownPublicKey));
    Set<String> names = new HashSet<>();
    Set<String> prefixes = new HashSet<>();
    for (TunPeerConfig peer : configured) {
      keys.add(peer.publicKey().trim());
      names.add(peer.name());
      prefixes.addAll(peer.allowedPrefixes());
    }
    for (Object entry : announced) {
      TunPeerConfig peer = valid(entry);
      if (peer != null && keys.add(peer.publicKey()) && names.add(peer.name())
          && peer.allowedPrefixes().stream().noneMatch(prefixes::contains)) {
        prefixes.addAll(peer.allowedPrefixes());
        peers.add(peer);
      }
    }
    return peers;
  }

  /** The peer an announcement describes, or null when any field is missing or malformed. */
  private static TunPeerConfig valid(Object entry) {
    if (!(entry instanceof JsonObject json) || !(json.getValue("name") instanceof String name)
        || !(json.getValue("publicKey") instanceof String key) || !(json.getValue("allowedPrefixes") instanceof JsonArray list)) {
      return null;
    }
    Object endpoint = json.getValue("endpoint");
    if (endpoint != null && !(endpoint instanceof String text && isLiteralEndpoint(text))) {
      return null;
    }
    try {
      StaticKeyPair.decodeKey(key, "announced key");
      List<String> prefixes = list.stream().map(String::valueOf).toList();
      PrefixTable<Boolean> check = new PrefixTable<>();
      prefixes.forEach(prefix -> check.put(prefix, Boolean.TRUE));
      return new TunPeerConfig(name, key.trim(), (String) endpoint, prefixes, 0);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code ip:port} or {@code [ipv6]:port}: announced endpoints are never resolved through DNS. */
  private static boolean isLiteralEndpoint(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0 || !endpoint.substring(colon + 1).matches("\\d{1,5}")) {
      return false;
    }
    int port = Integer.parseInt(endpoint.substring(colon + 1));
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return port >= 1 && port <= 65535 && NetUtil.createByteArrayFromIpAddressString(host) != null;
  }
}
