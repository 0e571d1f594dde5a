package io.ringway.tun.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * What the bridge instances of one multi-queue device share in one Vert.x instance: one
 * {@link Bridge} (peers, sessions, handshakes) and the UDP port their sockets share. The first
 * instance to join (lane 0) opens and configures the device, loads the key, binds the port and
 * {@link #publish}es; every later lane waits for that, then attaches its own queue of the device and
 * binds its own socket to the same port (SO_REUSEPORT).
 *
 * <p>One table rather than one per loop with the event bus between them: the kernel picks a
 * packet's TUN queue by its inner flow's hash and its UDP socket by SO_REUSEPORT's hash of the
 * datagram's addresses, so any lane meets any session's packets; a hop over the bus to the lane that
 * owns the session would cost a copy and a task hand-off per packet, where a shared table costs one
 * uncontended monitor (see {@link Bridge}).
 */
public final class SharedTunnel {

  /** What lane 0 set up, for the others. */
  public record Ready(Bridge bridge, String deviceName, InetSocketAddress udp) {
  }

  /** One instance's place: its index (0 opens the device) and the tunnel it shares. */
  public record Lane(int index, SharedTunnel tunnel) {
  }

  private record Key(Vertx vertx, String device) {
  }

  private static final Map<Key, SharedTunnel> TUNNELS = new HashMap<>();

  private final Key key;
  private final Promise<Ready> ready = Promise.promise();
  private int joined;
  private int members;

  private SharedTunnel(Key key) {
    this.key = key;
  }

  /** Joins (or starts) the tunnel of {@code device} in {@code vertx}; call {@link #leave} when the instance stops. */
  public static synchronized Lane join(Vertx vertx, String device) {
    SharedTunnel tunnel = TUNNELS.computeIfAbsent(new Key(vertx, device), SharedTunnel::new);
    tunnel.members++;
    return new Lane(tunnel.joined++, tunnel);
  }

  /** Lane 0's set-up, once it is done; a failure fails every lane waiting. */
  public Future<Ready> ready() {
    return ready.future();
  }

  /** Lane 0: the device is up and the port bound. */
  public void publish(Ready set) {
    ready.tryComplete(set);
  }

  /** Lane 0: the set-up failed; the lanes waiting fail with it. */
  public void fail(Throwable cause) {
    ready.tryFail(cause);
  }

  /** How many lanes joined so far. */
  public int lanes() {
    synchronized (SharedTunnel.class) {
      return joined;
    }
  }

  /** One instance stopped; the last one out forgets the tunnel, so a redeploy starts afresh. */
  public void leave() {
    synchronized (SharedTunnel.class) {
      if (--members == 0) {
        TUNNELS.remove(key);
      }
    }
  }
}
