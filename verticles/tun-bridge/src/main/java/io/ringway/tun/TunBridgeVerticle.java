package io.ringway.tun;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.message.StatsRequest;
import io.ringway.spi.message.TunPeers;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.tun.impl.Bridge;
import io.ringway.tun.impl.CipherChoice;
import io.ringway.tun.impl.EpollTunChannel;
import io.ringway.tun.impl.IoUringTunChannel;
import io.ringway.tun.impl.MeshPeers;
import io.ringway.tun.impl.NioTunChannel;
import io.ringway.tun.impl.Opened;
import io.ringway.tun.impl.SharedTunnel;
import io.ringway.tun.impl.TunChannel;
import io.ringway.tun.impl.UdpUnderlay;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The L3 tunnel: a TUN device bridged to encrypted UDP peers, both read and written on this
 * verticle's event loop — the TUN fd through io_uring operations on the loop's own ring
 * ({@link IoUringTunChannel}) or, on the epoll transport, through readiness in the loop's own epoll
 * set ({@link EpollTunChannel}); the UDP socket is a channel of the same loop. On NIO (or any other
 * transport) a dedicated reader thread per device polls the fd and hands packets to the loop
 * ({@link NioTunChannel}), a fallback that costs a thread per device and a copy per packet; the
 * bridge itself still runs on the loop only.
 *
 * <p>The device is opened and the key read in {@code executeBlocking}, never on the loop. Peers
 * follow {@link Addresses#CONFIG_APPLIED}: a peer that stays keeps its sessions; device, address,
 * port and key changes need a redeploy and are logged as such. In a cluster the bridge announces
 * itself on {@link Addresses#CLUSTER_TUN_PEERS_ANNOUNCE} and adds the peers the registry publishes
 * on {@link Addresses#TUN_PEERS} to its configured ones ({@link MeshPeers}); standalone, nobody
 * answers the announcement and nothing is published.
 *
 * <p><b>Stats contract</b> ({@link Addresses#STATS_COLLECT}), as tcp-proxy's: a local consumer;
 * a request {@code {"replyTo": addr}} gets the counters sent there, a plain request gets them as the
 * reply:
 * <pre>{"verticle":"tun-bridge", "instance":"tun-bridge-1", "instances":1, "thread":.., "configVersion":..,
 *  "inFlight":0 (a tunnel holds no connections: a drain has nothing to wait for),
 *  "ioPath":"io_uring", "epoll" or "reader-thread" (NIO), "device":"ringway0", "publicKey":..,
 *  "listen":"[0:0:0:0:0:0:0:0]:51820" (on io_uring: Vert.x makes dual-stack UDP sockets there, so
 *                                      0.0.0.0 binds the IPv6 wildcard and takes IPv4 too),
 *  "tun":{"packetsRead","bytesRead" (inner packets, each segment counted),"reads" (read ops: packets or
 *         super-packets),"packetsWritten","bytesWritten","writes" (write ops),"writesDropped",
 *         "readsDropped" (reader-thread only: the loop was behind), "readErrors","writeErrors","handlerFailures"},
 *  "offloads":{"config":"auto","vnetHeader":true,"granted":["csum","tso4","tso6","uso4","uso6"],"udpGso","udpGro",
 *         "superPacketsRead","segmentsRead","segmentsPerSuperPacketRead","superPacketsWritten","segmentsCoalesced",
 *         "segmentsPerSuperPacketWritten","passedOneByOne","malformedDropped","packetsPerRead","packetsPerWrite"},
 *  "udp":{"datagramsSent","sends","datagramsPerSend","gsoSends","gsoDatagrams","datagramsReceived",
 *         "receives","datagramsPerReceive","receiveErrors" (the last three: io_uring with UDP_GRO, else 0)},
 *  "udpErrors":n,
 *  "cipher":{"config":"auto", "offers":["aes-256-gcm","chacha20-poly1305"], "reason":..} (what handshakes offer),
 *  "drops":{"BAD_TAG":n, ...}          (node-wide, every peer's included; only non-zero reasons)
 *  "peers":[{"peer","publicKey","endpoint","session","cipher" (the current session's, or null),"handshakes","handshakeAgeMillis","txPackets","txBytes",
 *            "rxPackets","rxBytes","queued","drops":{...}}]}</pre>
 */
public final class TunBridgeVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(TunBridgeVerticle.class.getName());
  private static final AtomicLong IDS = new AtomicLong();

  private final ConfigSnapshot snapshot;
  private final String id = "tun-bridge-" + IDS.incrementAndGet();
  /** The config the device was opened with; a reload changes only the peers. */
  private TunBridgeConfig tun;
  private long configVersion;
  private Bridge bridge;
  private UdpUnderlay udp;
  private TunChannel channel;
  private long timer = -1;
  private Future<Void> applied = Future.succeededFuture();
  /** Peers from config, and those the cluster registry announced; the bridge runs their merge. */
  private List<TunPeerConfig> configuredPeers;
  private String publicKey;
  private JsonObject announcement;
  private JsonArray announcedPeers = new JsonArray();
  /** With {@code tun.multiQueue}: this instance's lane of the shared tunnel; null otherwise. */
  private SharedTunnel.Lane lane;
  /** Whether the device carries a virtio-net header, and the TUN_F_* offloads the kernel granted. */
  private boolean vnetHeader;
  private int granted;

  /** @param snapshot the config in force at deployment; later ones arrive on {@link Addresses#CONFIG_APPLIED} */
  public TunBridgeVerticle(ConfigSnapshot snapshot) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    tun = snapshot.config().tun();
    configVersion = snapshot.version();
    if (!tun.enabled()) {
      return Future.failedFuture(new IllegalStateException("tun-bridge is deployed but the tunnel is not configured:"
          + " add a tun section (or set tun.enabled: true)"));
    }
    IoEventLoop loop = (IoEventLoop) ((ContextInternal) context).nettyEventLoop();
    // Offloads need the channel to cut and coalesce super-packets: the io_uring and epoll ones do,
    // the NIO reader thread does not (it stays with plain packets).
    boolean offloads = tun.tunOffloads() && !channelIsNio(loop);
    if (tun.multiQueue()) {
      if (!loop.isIoType(IoUringIoHandler.class) && !loop.isCompatible(EpollIoHandle.class)) {
        return Future.failedFuture(new IllegalStateException("tun.multiQueue needs the io_uring or epoll transport:"
            + " NIO's reader-thread fallback runs one queue only (set multiQueue: false)"));
      }
      lane = SharedTunnel.join(vertx, tun.deviceName());
      if (lane.index() > 0) {
        // Lane 0 opens the device and binds the port; this lane adds a queue and a socket to them.
        // Lane 0 completes the shared promise on its own thread: come back to this instance's context
        // first, so this lane's consumers and continuations run on its own loop.
        Promise<SharedTunnel.Ready> here = ((ContextInternal) context).promise();
        lane.tunnel().ready().onComplete(here);
        return here.future().compose(ready -> startLane(loop, ready, offloads)).compose(started -> listen(false));
      }
    }
    Future<Void> started = vertx.executeBlocking(() -> Opened.open(tun, offloads))
        .compose(opened -> startOnLoop(loop, opened));
    if (lane != null) {
      started = started.onSuccess(done -> lane.tunnel().publish(new SharedTunnel.Ready(bridge, channel.name(),
          udp.localAddress()))).onFailure(e -> lane.tunnel().fail(e));
    }
    return started.compose(done -> listen(true)).onSuccess(listening -> announce());
  }

  /**
   * The event-bus consumers: stats on every lane; config and announced peers on lane 0 only, which
   * applies them to the bridge all lanes share.
   */
  private Future<Void> listen(boolean owner) {
    List<MessageConsumer<Object>> consumers = new java.util.ArrayList<>();
    consumers.add(vertx.eventBus().localConsumer(Addresses.STATS_COLLECT,
        message -> StatsRequest.answer(vertx, message, InstanceStats.fromJson(stats()))));
    if (owner) {
      consumers.add(vertx.eventBus().localConsumer(Addresses.CONFIG_APPLIED, this::onConfig));
      consumers.add(vertx.eventBus().localConsumer(Addresses.TUN_PEERS, this::onAnnouncedPeers));
    }
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * A lane after the first: its own queue of the device lane 0 made (TUNSETIFF with IFF_MULTI_QUEUE
   * on an existing name attaches a queue) and its own socket on lane 0's port, both on this loop,
   * feeding the shared bridge.
   */
  private Future<Void> startLane(IoEventLoop loop, SharedTunnel.Ready ready, boolean offloads) {
    bridge = ready.bridge();
    Bridge.Io io = laneIo();
    // Every queue is opened with the same flags: IFF_VNET_HDR is the device's, and a queue opened
    // without it would switch it off for all of them.
    return vertx.executeBlocking(() -> TunDevice.open(tun.devicePath(), ready.deviceName(), true, offloads))
        .compose(device -> UdpUnderlay.bind((VertxInternal) vertx, loop, tun.listenHost(),
                ready.udp().getPort(), bridge.maxDatagram(), !loop.isIoType(IoUringIoHandler.class),
                tun.udpOffloads() && !channelIsNio(loop), true, (datagram, sender) -> bridge.onDatagram(datagram, sender, io))
            .onFailure(e -> device.close())
            .compose(bound -> {
              udp = bound;
              vnetHeader = device.vnetHeader();
              granted = device.offloads();
              TunChannel tunChannel = tunChannel(loop, device, packet -> bridge.onTunPacket(packet, io));
              return tunChannel.open().onSuccess(opened -> channel = tunChannel).onFailure(e -> bound.close());
            }))
        .onSuccess(opened -> LOG.log(Level.INFO, "tun-bridge: " + ready.deviceName() + " queue " + lane.index()
            + " up on " + Thread.currentThread().getName() + ", UDP " + udp.localAddress() + " (SO_REUSEPORT), "
            + channel.ioPath()));
  }

  /** This instance's I/O ends, for the bridge: its own TUN queue and socket. */
  private Bridge.Io laneIo() {
    return new Bridge.Io() {
      @Override
      public boolean writeTun(ByteBuf packet) {
        if (channel == null) {
          packet.release();
          return false;
        }
        return channel.write(packet);
      }

      @Override
      public void sendUdp(ByteBuf datagram, InetSocketAddress to) {
        udp.send(datagram, to);
      }

      @Override
      public void sendUdp(int length, InetSocketAddress to, Consumer<ByteBuf> writer) {
        udp.send(length, to, writer);
      }
    };
  }

  /**
   * Offers this node to the cluster's peer registry. Standalone there is no registry (no handler):
   * nothing to do.
   */
  private void announce() {
    vertx.eventBus().request(Addresses.CLUSTER_TUN_PEERS_ANNOUNCE, TunPeerConfig.fromJson(announcement)).onFailure(e -> {
      if (!(e instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS)) {
        LOG.log(Level.WARNING, "tun-bridge: the cluster did not take this node's announcement: " + e.getMessage());
      }
    });
  }

  private Future<Void> startOnLoop(IoEventLoop loop, Opened opened) {
    CipherChoice ciphers = opened.ciphers();
    LOG.log(Level.INFO, "tun-bridge: " + ciphers.describe());
    bridge = new Bridge(opened.key(), tun.mtu(), tun.rekeyAfterSeconds(), System::nanoTime, ciphers);
    vnetHeader = opened.device().vnetHeader();
    granted = opened.device().offloads();
    configuredPeers = tun.peers();
    publicKey = opened.key().publicKeyBase64();
    try {
      bridge.applyPeers(tun.peers(), opened.endpoints());
    } catch (IllegalArgumentException e) {
      opened.device().close();
      return Future.failedFuture(e);
    }
    bridge.attach(laneIo());
    boolean uring = loop.isIoType(IoUringIoHandler.class);
    return UdpUnderlay.bind((VertxInternal) vertx, loop, tun.listenHost(), tun.listenPort(), bridge.maxDatagram(),
            !uring, tun.udpOffloads() && !channelIsNio(loop), tun.multiQueue(), bridge::onDatagram)
        .onFailure(e -> opened.device().close())
        .compose(bound -> {
          udp = bound;
          TunChannel tunChannel = tunChannel(loop, opened.device(), bridge::onTunPacket);
          // A failed open closes the device itself; the socket is ours to close.
          return tunChannel.open().onSuccess(ready -> channel = tunChannel).onFailure(e -> bound.close());
        })
        .onSuccess(ready -> {
          // The key prefix keeps names apart when hosts share a name (containers from one image).
          announcement = MeshPeers.announcement(opened.host() + "-" + publicKey.substring(0, 8).replace('/', '_')
              .replace('+', '-'), opened.key(), tun, udp.localAddress());
          timer = vertx.setPeriodic(1000, tick -> bridge.tick());
          LOG.log(Level.INFO, "tun-bridge: " + opened.device().name() + " up, UDP " + udp.localAddress()
              + ", public key " + opened.key().publicKeyBase64() + ", " + tun.peers().size() + " peer(s), "
              + channel.ioPath() + ", " + offloadsLine(opened.device()));
        });
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (lane != null) {
      lane.tunnel().leave();
      lane.tunnel().fail(new IllegalStateException("tun-bridge stopped"));
    }
    if (bridge != null && (lane == null || lane.index() == 0)) {
      bridge.close();
    }
    Future<Void> udpClosed = udp == null ? Future.succeededFuture() : udp.close();
    Future<Void> tunClosed = channel == null ? Future.succeededFuture() : channel.shutdown();
    return Future.join(udpClosed, tunClosed);
  }

  private void onConfig(Message<Object> message) {
    if (!(message.body() instanceof ConfigSnapshot next)) {
      LOG.log(Level.WARNING, "tun-bridge: ignored a config message that is not a local ConfigSnapshot");
      return;
    }
    // One change at a time, in arrival order: endpoint resolution is asynchronous.
    applied = applied.transform(previous -> next.version() <= configVersion ? Future.succeededFuture() : reload(next))
        .recover(e -> {
          LOG.log(Level.ERROR, "tun-bridge: config " + next.version() + " not applied: " + e.getMessage());
          return Future.succeededFuture();
        });
  }

  private Future<Void> reload(ConfigSnapshot next) {
    TunBridgeConfig nextTun = next.config().tun();
    if (!sameDevice(tun, nextTun)) {
      LOG.log(Level.WARNING, "tun-bridge: config " + next.version() + " changes the device, address, port, key,"
          + " slots or offloads; only peers follow a reload, the rest needs a redeploy (offloads are fixed when the"
          + " TUN fd is opened: IFF_VNET_HDR cannot be switched on a live fd)");
    }
    if (!nextTun.cipher().equals(tun.cipher())) {
      CipherChoice ciphers = CipherChoice.of(nextTun.cipher());
      bridge.ciphers(ciphers);
      tun = tun.withCipher(nextTun.cipher());
      LOG.log(Level.INFO, "tun-bridge: config " + next.version() + ": " + ciphers.describe()
          + "; sessions running keep their cipher until their next rekey");
    }
    configuredPeers = nextTun.peers();
    return applyPeers().onSuccess(done -> configVersion = next.version());
  }

  private void onAnnouncedPeers(Message<Object> message) {
    if (!(message.body() instanceof TunPeers announced)) {
      return;
    }
    JsonArray peers = announced.toJson().getJsonArray("peers");
    applied = applied.transform(previous -> {
      announcedPeers = peers;
      return applyPeers();
    }).recover(e -> {
      LOG.log(Level.ERROR, "tun-bridge: announced peers not applied: " + e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Resolves endpoints off the loop, then gives the bridge the configured peers merged with the announced ones. */
  private Future<Void> applyPeers() {
    List<TunPeerConfig> peers = MeshPeers.merge(configuredPeers, announcedPeers, publicKey);
    return vertx.executeBlocking(() -> Bridge.resolveEndpoints(peers))
        .map(endpoints -> {
          bridge.applyPeers(peers, endpoints);
          return null;
        });
  }

  private static boolean channelIsNio(IoEventLoop loop) {
    return !loop.isIoType(IoUringIoHandler.class) && !loop.isCompatible(EpollIoHandle.class);
  }

  /** What the log says about offloads: asked for, granted by the kernel, in force on the socket. */
  private String offloadsLine(TunDevice device) {
    String tunPart = !tun.tunOffloads() ? "TUN offloads off (config)"
        : !device.vnetHeader() ? (channelIsNio((IoEventLoop) ((ContextInternal) context).nettyEventLoop())
            ? "TUN offloads off (the NIO reader thread path has none)" : "TUN offloads off (no IFF_VNET_HDR in this kernel)")
        : "TUN offloads " + TunDevice.offloadNames(device.offloads());
    return tunPart + ", UDP GSO " + (udp.gso() ? "on" : "off") + ", UDP GRO " + (udp.gro() ? "on" : "off");
  }

  private static boolean sameDevice(TunBridgeConfig a, TunBridgeConfig b) {
    return a.deviceName().equals(b.deviceName()) && a.devicePath().equals(b.devicePath()) && a.mtu() == b.mtu()
        && a.addresses().equals(b.addresses()) && a.listenHost().equals(b.listenHost()) && a.listenPort() == b.listenPort()
        && Objects.equals(a.privateKeyFile(), b.privateKeyFile()) && Objects.equals(a.privateKeyEnv(), b.privateKeyEnv())
        && a.readSlots() == b.readSlots() && a.writeSlots() == b.writeSlots() && a.multiQueue() == b.multiQueue()
        && a.offloads().equals(b.offloads())
        && a.rekeyAfterSeconds() == b.rekeyAfterSeconds();
  }


  private JsonObject stats() {
    var channelStats = channel.stats();
    JsonObject tunStats = new JsonObject()
        .put("packetsRead", channelStats.packetsRead)
        .put("bytesRead", channelStats.bytesRead)
        .put("packetsWritten", channelStats.packetsWritten)
        .put("bytesWritten", channelStats.bytesWritten)
        .put("reads", channelStats.reads)
        .put("writes", channelStats.writes)
        .put("writesDropped", channelStats.writesDropped)
        .put("readsDropped", channelStats.readsDropped)
        .put("readErrors", channelStats.readErrors)
        .put("writeErrors", channelStats.writeErrors)
        .put("handlerFailures", channelStats.handlerFailures);
    InetSocketAddress listen = udp.localAddress();
    String listenHost = listen.getAddress().getHostAddress();
    return new JsonObject()
        .put("verticle", "tun-bridge")
        .put("instance", id)
        .put("instances", lane == null ? 1 : lane.tunnel().lanes())
        .put("queue", lane == null ? 0 : lane.index())
        .put("queues", lane == null ? 1 : lane.tunnel().lanes())
        .put("thread", Thread.currentThread().getName())
        .put("configVersion", configVersion)
        .put("inFlight", 0)
        .put("ioPath", channel.ioPath())
        .put("device", channel.name())
        .put("listen", (listenHost.contains(":") ? "[" + listenHost + "]" : listenHost) + ":" + listen.getPort())
        .put("tun", tunStats)
        .put("offloads", offloadsJson(channelStats))
        .put("udp", udpJson())
        .put("udpErrors", udp.errors())
        .mergeIn(bridge.statsJson());
  }

  private JsonObject offloadsJson(io.ringway.tun.impl.TunChannelStats channelStats) {
    var counters = channelStats.offload;
    return new JsonObject()
        .put("config", tun.offloads())
        .put("vnetHeader", vnetHeader)
        .put("granted", new JsonArray(TunDevice.offloadNames(granted)))
        .put("udpGso", udp.gso())
        .put("udpGro", udp.gro())
        .put("superPacketsRead", counters.superPacketsRead)
        .put("segmentsRead", counters.segmentsRead)
        .put("segmentsPerSuperPacketRead", ratio(counters.segmentsRead, counters.superPacketsRead))
        .put("superPacketsWritten", counters.superPacketsWritten)
        .put("segmentsCoalesced", counters.segmentsCoalesced)
        .put("segmentsPerSuperPacketWritten", ratio(counters.segmentsCoalesced, counters.superPacketsWritten))
        .put("passedOneByOne", counters.passedOneByOne)
        .put("malformedDropped", counters.malformedDropped)
        .put("packetsPerRead", ratio(channelStats.packetsRead, channelStats.reads))
        .put("packetsPerWrite", ratio(channelStats.packetsWritten, channelStats.writes));
  }

  private JsonObject udpJson() {
    var counters = udp.stats();
    return new JsonObject()
        .put("datagramsSent", counters.datagramsSent)
        .put("sends", counters.sends)
        .put("datagramsPerSend", ratio(counters.datagramsSent, counters.sends))
        .put("gsoSends", counters.gsoSends)
        .put("gsoDatagrams", counters.gsoDatagrams)
        .put("datagramsReceived", counters.datagramsReceived)
        .put("receives", counters.receives)
        .put("datagramsPerReceive", ratio(counters.datagramsReceived, counters.receives))
        .put("receiveErrors", counters.receiveErrors);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0 : Math.round(100.0 * a / b) / 100.0;
  }

  /** The loop's own ring or epoll set where it has one; otherwise a reader thread (NIO's selector takes no raw fd). */
  private TunChannel tunChannel(IoEventLoop loop, TunDevice device, Consumer<ByteBuf> handler) {
    if (loop.isIoType(IoUringIoHandler.class)) {
      return new IoUringTunChannel(device, loop, tun.readSlots(), tun.writeSlots(), tun.mtu(), handler);
    }
    if (loop.isCompatible(EpollIoHandle.class)) {
      return new EpollTunChannel(device, loop, tun.mtu(), handler);
    }
    return new NioTunChannel(device, loop, tun.mtu(), NioTunChannel.DEFAULT_HANDOFF_LIMIT, handler);
  }
}
