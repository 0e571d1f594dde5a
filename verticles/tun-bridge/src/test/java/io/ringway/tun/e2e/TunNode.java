package io.ringway.tun.e2e;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.tun.impl.CipherSuite;
import io.ringway.tun.impl.NoiseHandshake;
import io.ringway.tun.impl.StaticKeyPair;
import io.ringway.tun.impl.WireFormat;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Ringway tunnel node in a child JVM, started by the test inside a network namespace
 * ({@code ip netns exec ns java ... TunNode node.json}). Deploys the real {@code tun-bridge}
 * verticle, found through its {@link VerticleProvider}, on the io_uring transport (epoll or NIO if
 * the node says {@code "transport": "epoll"} or {@code "nio"}), then answers
 * one command per stdin line with one {@code "> "} line on stdout, so the test can act from inside
 * the namespace: ping, TCP transfer, tap and inject underlay packets, read stats, reload peers.
 */
public final class TunNode {

  private static final HexFormat HEX = HexFormat.of();

  private final Vertx vertx;
  private long version = 1;
  private CompletableFuture<String> served;
  private RawCapture tap;
  private CompletableFuture<byte[]> tapped;

  private TunNode(Vertx vertx) {
    this.vertx = vertx;
  }

  public static void main(String[] args) throws Exception {
    JsonObject node = new JsonObject(Files.readString(Path.of(args[0])));
    Transport transport = switch (node.getString("transport", "io_uring")) {
      case "epoll" -> Transport.EPOLL;
      case "nio" -> Transport.NIO;
      default -> Transport.IO_URING;
    };
    Vertx vertx = Vertx.builder().withTransport(transport)
        .with(new io.vertx.core.VertxOptions().setEventLoopPoolSize(node.getInteger("eventLoops", 1))).build();
    MessageCodecs.registerAll(vertx);
    VerticleProvider provider = ServiceLoader.load(VerticleProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("tun-bridge")).findFirst().orElseThrow();
    TunNode harness = new TunNode(vertx);
    try {
      ConfigSnapshot initial = snapshot(1, node);
      vertx.deployVerticle(() -> provider.create(initial),
          new DeploymentOptions().setInstances(provider.instances(initial.config()))).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.out.println("> ERR " + e.getMessage());
      System.exit(2);
    }
    System.out.println("> READY");
    BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = commands.readLine()) != null; ) {
      String answer;
      try {
        answer = "OK " + harness.run(line.split(" "));
      } catch (Exception e) {
        answer = "ERR " + e;
      }
      System.out.println("> " + answer);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  private String run(String[] command) throws Exception {
    return switch (command[0]) {
      case "stats" -> vertx.eventBus().<InstanceStats>request(Addresses.STATS_COLLECT, null)
          .await(5, TimeUnit.SECONDS).body().toJson().encode();
      case "statsall" -> statsAll();
      // As root, isReachable sends ICMP echo requests through a raw socket: a real ping.
      case "ping" -> String.valueOf(InetAddress.getByName(command[1]).isReachable(Integer.parseInt(command[2])));
      case "serve" -> serve(Integer.parseInt(command[1]));
      case "served" -> served.get(90, TimeUnit.SECONDS);
      case "send" -> send(command[1], Integer.parseInt(command[2]), Long.parseLong(command[3]));
      case "tap" -> startTap(Integer.parseInt(command[1]), Byte.parseByte(command[2]));
      case "tapped" -> HEX.formatHex(tapped.get(10, TimeUnit.SECONDS));
      case "inject" -> inject(command[1], Integer.parseInt(command[2]), HEX.parseHex(command[3]));
      case "stranger" -> inject(command[1], Integer.parseInt(command[2]),
          new NoiseHandshake.Initiator(StaticKeyPair.generate(), StaticKeyPair.decodeKey(command[3], "key"), 7, 1420,
              List.of(CipherSuite.CHACHA20_POLY1305)).initiation());
      case "reload" -> reload(new JsonObject(command[1]));
      case "udpecho" -> udpEcho(Integer.parseInt(command[1]));
      case "udpping" -> udpPing(command[1], Integer.parseInt(command[2]), Integer.parseInt(command[3]),
          Integer.parseInt(command[4]));
      default -> throw new IllegalArgumentException("unknown command " + command[0]);
    };
  }

  /** Every instance's stats (one per queue of a multi-queue device), as a JSON array ordered by queue. */
  private String statsAll() throws Exception {
    String replyTo = "tun-node.stats." + System.nanoTime();
    List<JsonObject> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    var consumer = vertx.eventBus().<InstanceStats>localConsumer(replyTo, message -> answers.add(message.body().toJson()));
    consumer.completion().await(5, TimeUnit.SECONDS);
    vertx.eventBus().publish(Addresses.STATS_COLLECT, new io.ringway.spi.message.StatsRequest(replyTo));
    Thread.sleep(500);
    consumer.unregister().await(5, TimeUnit.SECONDS);
    return new JsonArray(answers.stream().sorted(java.util.Comparator.comparing(a -> a.getInteger("queue", 0)))
        .map(Object.class::cast).toList()).encode();
  }

  private String reload(JsonObject node) {
    vertx.eventBus().publish(Addresses.CONFIG_APPLIED, snapshot(++version, node));
    return String.valueOf(version);
  }

  private String serve(int port) throws Exception {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(port));
    served = CompletableFuture.supplyAsync(() -> {
      try (server; Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[65536];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
          sha.update(buffer, 0, n);
          total += n;
        }
        return total + " " + HEX.formatHex(sha.digest());
      } catch (Exception e) {
        return "failed " + e;
      }
    });
    return "listening";
  }

  private static String send(String host, int port, long bytes) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Random random = new Random(bytes);
    byte[] chunk = new byte[65536];
    long started = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      OutputStream out = socket.getOutputStream();
      for (long left = bytes; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        int n = (int) Math.min(chunk.length, left);
        sha.update(chunk, 0, n);
        out.write(chunk, 0, n);
      }
    }
    return bytes + " " + HEX.formatHex(sha.digest()) + " " + (System.nanoTime() - started) / 1_000_000 + "ms";
  }

  /** Echoes every UDP datagram to {@code port} back to its sender, on a daemon thread. */
  private static String udpEcho(int port) throws Exception {
    DatagramSocket socket = new DatagramSocket(port);
    Thread echo = new Thread(() -> {
      byte[] buffer = new byte[65535];
      try (socket) {
        while (true) {
          DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
          socket.receive(packet);
          socket.send(new DatagramPacket(buffer, packet.getLength(), packet.getSocketAddress()));
        }
      } catch (Exception e) {
        // the node is going away
      }
    }, "udp-echo");
    echo.setDaemon(true);
    echo.start();
    return "echoing";
  }

  /** Sends {@code count} datagrams of {@code size} bytes one at a time; answers how many came back intact. */
  private static String udpPing(String host, int port, int count, int size) throws Exception {
    int intact = 0;
    Random random = new Random(size);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(1000);
      byte[] reply = new byte[65535];
      for (int i = 0; i < count; i++) {
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        socket.send(new DatagramPacket(payload, size, new InetSocketAddress(host, port)));
        try {
          DatagramPacket answer = new DatagramPacket(reply, reply.length);
          socket.receive(answer);
          if (java.util.Arrays.equals(payload, 0, size, reply, 0, answer.getLength())) {
            intact++;
          }
        } catch (java.net.SocketTimeoutException e) {
          // lost: counted by its absence
        }
      }
    }
    return String.valueOf(intact);
  }

  /** Taps the next datagram of {@code type} to {@code port}; data packets only if they carry an IP packet. */
  private String startTap(int port, byte type) {
    tap = new RawCapture();
    int minLength = type == WireFormat.TYPE_DATA ? WireFormat.DATA_HEADER + WireFormat.TAG + 20 : 0;
    tapped = CompletableFuture.supplyAsync(() -> {
      try (RawCapture capture = tap) {
        return capture.next(port, type, minLength, 10_000);
      }
    });
    return "tapping";
  }

  private static String inject(String host, int port, byte[] datagram) throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress(host, port)));
    }
    return String.valueOf(datagram.length);
  }

  /** A config with only the tunnel set, from the node description the test wrote. */
  static ConfigSnapshot snapshot(long version, JsonObject node) {
    List<TunPeerConfig> peers = new ArrayList<>();
    for (Object entry : node.getJsonArray("peers", new JsonArray())) {
      JsonObject peer = (JsonObject) entry;
      peers.add(new TunPeerConfig(peer.getString("name"), peer.getString("publicKey"), peer.getString("endpoint"),
          peer.getJsonArray("allowedPrefixes").stream().map(String::valueOf).toList(), peer.getInteger("keepalive", 0)));
    }
    TunBridgeConfig tun = new TunBridgeConfig(true, node.getString("device"), null, node.getBoolean("multiQueue", false),
        node.getInteger("mtu", 1420), List.of(node.getString("address")), 0, 0, node.getString("offloads", "auto"), "0.0.0.0",
        node.getInteger("listenPort"), node.getString("privateKeyFile"), node.getString("privateKeyEnv"),
        node.getInteger("rekeyAfterSeconds", 0), peers, node.getString("cipher", "auto"));
    RingwayConfig config = new RingwayConfig("io_uring", node.getInteger("eventLoops", 1), Map.of(), List.of("tun-bridge"), null, null).withTun(tun);
    return new ConfigSnapshot(version, config, "e2e");
  }
}
