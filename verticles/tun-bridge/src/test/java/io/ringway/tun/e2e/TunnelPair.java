package io.ringway.tun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.southernstorm.noise.protocol.DHState;
import com.southernstorm.noise.protocol.Noise;
import io.ringway.tun.impl.StaticKeyPair;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair (the UDP underlay, 192.168.77.0/24), a Ringway
 * bridge in each ({@link TunNode} child JVMs) with its own TUN device and tunnel address
 * (10.99.0.1 and 10.99.0.2). Names carry a random suffix; {@link #close} kills the nodes and
 * deletes both namespaces, which takes the veth pair and anything left inside with them.
 */
final class TunnelPair implements AutoCloseable {

  static final String UNDERLAY_A = "192.168.77.1";
  static final String UNDERLAY_B = "192.168.77.2";
  static final String TUNNEL_A = "10.99.0.1";
  static final String TUNNEL_B = "10.99.0.2";
  static final int PORT_A = 51820;
  static final int PORT_B = 51821;

  final String suffix = Integer.toHexString(0x100000 + ThreadLocalRandom.current().nextInt(0xeffff));
  final String nsA = "rwtA" + suffix;
  final String nsB = "rwtB" + suffix;
  final String vethA = "rwva" + suffix;
  final String vethB = "rwvb" + suffix;
  final String publicA;
  final String publicB;
  private final String privateA;
  private final String privateB;
  private final Path dir;
  private final List<String> created = new ArrayList<>();
  NodeProcess a;
  NodeProcess b;
  /** {@code tun.cipher} of each node, set before {@link #start}. */
  String cipherA = "auto";
  String cipherB = "auto";
  /** Event loops of each node; above 1 the device is multi-queue with one queue per loop. */
  int eventLoops = 1;

  TunnelPair(Path dir) {
    this.dir = dir;
    privateA = newPrivateKey();
    privateB = newPrivateKey();
    publicA = StaticKeyPair.fromPrivateKey(privateA).publicKeyBase64();
    publicB = StaticKeyPair.fromPrivateKey(privateB).publicKeyBase64();
  }

  /** Makes the namespaces and the underlay. */
  TunnelPair underlay() {
    for (String ns : List.of(nsA, nsB)) {
      sh("ip", "netns", "add", ns);
      created.add(ns);
      sh("ip", "-n", ns, "link", "set", "lo", "up");
    }
    sh("ip", "link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns", nsB);
    sh("ip", "-n", nsA, "addr", "add", UNDERLAY_A + "/24", "dev", vethA);
    sh("ip", "-n", nsB, "addr", "add", UNDERLAY_B + "/24", "dev", vethB);
    sh("ip", "-n", nsA, "link", "set", vethA, "up");
    sh("ip", "-n", nsB, "link", "set", vethB, "up");
    return this;
  }

  /**
   * Starts both bridges. A knows B's endpoint; B learns A's from A's first authenticated packet
   * (A is the roaming side). A's key comes from a file, B's from an environment variable.
   */
  TunnelPair start(int rekeyAfterSeconds) throws Exception {
    return start(rekeyAfterSeconds, "io_uring");
  }

  /** As {@link #start(int)}, both nodes on {@code transport} ({@code io_uring}, {@code epoll} or {@code nio}). */
  TunnelPair start(int rekeyAfterSeconds, String transport) throws Exception {
    return start(rekeyAfterSeconds, transport, "auto", 1420);
  }

  /** As {@link #start(int, String)} with {@code tun.offloads} and the MTU of both devices. */
  TunnelPair start(int rekeyAfterSeconds, String transport, String offloads, int mtu) throws Exception {
    Path keyFile = dir.resolve("a.key");
    Files.writeString(keyFile, privateA + "\n", StandardCharsets.US_ASCII);
    JsonObject nodeA = nodeA(rekeyAfterSeconds, List.of()).put("transport", transport).put("offloads", offloads)
        .put("mtu", mtu);
    JsonObject nodeB = node("rwtb" + suffix, TUNNEL_B, PORT_B, rekeyAfterSeconds).put("transport", transport)
        .put("offloads", offloads).put("mtu", mtu).put("cipher", cipherB)
        .put("privateKeyEnv", "RINGWAY_TUN_KEY")
        .put("peers", new JsonArray().add(peer("a", publicA, null, TUNNEL_A + "/32")));
    Files.writeString(dir.resolve("a.json"), nodeA.encode());
    Files.writeString(dir.resolve("b.json"), nodeB.encode());
    a = NodeProcess.start("node A", nsA, dir.resolve("a.json"), dir.resolve("a.log"), Map.of());
    b = NodeProcess.start("node B", nsB, dir.resolve("b.json"), dir.resolve("b.log"), Map.of("RINGWAY_TUN_KEY", privateB));
    return this;
  }

  /** Node A's description, with {@code extraPeers} after peer B. */
  JsonObject nodeA(int rekeyAfterSeconds, List<JsonObject> extraPeers) {
    JsonArray peers = new JsonArray().add(peer("b", publicB, UNDERLAY_B + ":" + PORT_B, TUNNEL_B + "/32"));
    extraPeers.forEach(peers::add);
    return node("rwta" + suffix, TUNNEL_A, PORT_A, rekeyAfterSeconds)
        .put("cipher", cipherA)
        .put("privateKeyFile", dir.resolve("a.key").toString())
        .put("peers", peers);
  }

  static JsonObject peer(String name, String publicKey, String endpoint, String prefix) {
    return new JsonObject().put("name", name).put("publicKey", publicKey).put("endpoint", endpoint)
        .put("allowedPrefixes", new JsonArray().add(prefix));
  }

  private JsonObject node(String device, String address, int port, int rekeyAfterSeconds) {
    return new JsonObject().put("eventLoops", eventLoops).put("multiQueue", eventLoops > 1).put("device", device).put("address", address + "/24").put("listenPort", port)
        .put("rekeyAfterSeconds", rekeyAfterSeconds);
  }

  /** This node's counters for {@code peer}. */
  static JsonObject peerStats(NodeProcess node, String peer) {
    JsonObject stats = new JsonObject(node.call("stats", Duration.ofSeconds(10)));
    return stats.getJsonArray("peers").stream().map(JsonObject.class::cast)
        .filter(p -> p.getString("peer").equals(peer)).findFirst().orElseThrow();
  }

  static long drops(JsonObject counters, String reason) {
    return counters.getJsonObject("drops").getLong(reason, 0L);
  }

  /** Runs a command in the root namespace; fails the test with its output if it fails. */
  static String sh(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " failed: " + output);
      }
      return output;
    } catch (java.io.IOException e) {
      throw new AssertionError(String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      for (NodeProcess node : new NodeProcess[] {a, b}) {
        if (node != null) {
          node.close();
        }
      }
    } finally {
      for (String ns : created) {
        new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
      }
    }
    String namespaces = sh("ip", "netns", "list");
    assertThat(namespaces).as("namespaces deleted").doesNotContain(nsA).doesNotContain(nsB);
    assertThat(sh("ip", "-o", "link", "show")).as("no interface left in the root namespace")
        .doesNotContain(vethA).doesNotContain(vethB);
  }

  private static String newPrivateKey() {
    try {
      DHState dh = Noise.createDH("25519");
      dh.generateKeyPair();
      byte[] key = new byte[32];
      dh.getPrivateKey(key, 0);
      dh.destroy();
      return Base64.getEncoder().encodeToString(key);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
