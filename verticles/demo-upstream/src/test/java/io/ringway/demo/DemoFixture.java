package io.ringway.demo;

import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.OnContext;
import io.ringway.testkit.Ports;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real Vert.x on a chosen transport with the demo backends on free loopback ports. */
final class DemoFixture implements AutoCloseable {

  static final String HOST = "127.0.0.1";
  static final String NODE = "node-a";

  final Vertx vertx;
  /** Where {@link #onLoop} runs a test's client exchanges. */
  final Context context;
  final DemoUpstreamConfig config;
  final List<DemoUpstreamVerticle> instances = new CopyOnWriteArrayList<>();

  DemoFixture() {
    this(Transport.NIO);
  }

  /** Skips (or fails under CI) when this machine cannot run the transport. */
  DemoFixture(Transport transport) {
    if (!transport.available()) {
      Capabilities.require(transport.name(), false, String.valueOf(transport.unavailabilityCause()));
    }
    this.vertx = Vertx.builder().withTransport(transport).build();
    if (transport != Transport.NIO && !vertx.isNativeTransportEnabled()) {
      vertx.close();
      throw new IllegalStateException("asked for " + transport.name() + " but Vert.x fell back to NIO");
    }
    this.context = vertx.getOrCreateContext();
    int httpPort = Ports.freeTcpPort();
    int tcpPort = Ports.freeTcpPort();
    while (tcpPort == httpPort) {
      tcpPort = Ports.freeTcpPort();
    }
    this.config = new DemoUpstreamConfig(HOST, httpPort, tcpPort, NODE);
  }

  static Transport transport(String name) {
    return switch (name) {
      case "nio" -> Transport.NIO;
      case "io_uring" -> Transport.IO_URING;
      default -> throw new IllegalArgumentException(name);
    };
  }

  DemoFixture start(int instanceCount) throws Exception {
    vertx.deployVerticle(() -> {
      DemoUpstreamVerticle instance = new DemoUpstreamVerticle(config);
      instances.add(instance);
      return instance;
    }, new DeploymentOptions().setInstances(instanceCount)).await(10, TimeUnit.SECONDS);
    return this;
  }

  /**
   * Runs an HTTP client exchange on {@link #context} and waits for it. Called from the test's thread, each
   * request would get a fresh context, and Vert.x 5.0.10 can then deliver a response's end before the chain
   * asks for its body, whose future never completes (eclipse-vertx/vert.x#6038, fixed after 5.0.10): CI timed
   * out so, once in a few hundred requests.
   */
  <T> T onLoop(Callable<Future<T>> exchange) throws Exception {
    return OnContext.call(context, exchange).get(20, TimeUnit.SECONDS);
  }

  int httpPort() {
    return config.httpPort();
  }

  int tcpPort() {
    return config.tcpPort();
  }

  static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
