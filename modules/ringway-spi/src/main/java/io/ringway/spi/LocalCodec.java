package io.ringway.spi;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes an immutable message object by reference within one JVM. Records handed to it must be
 * immutable: sender and receivers share the instance.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers local codecs for every Ringway message record on this Vert.x; safe to call more than once. */
  public static void registerAll(Vertx vertx) {
    for (Class<?> type : new Class<?>[] {ConfigSnapshot.class, ConfigRejected.class, NodeInfo.class}) {
      register(vertx, type);
    }
  }

  /** Registers a local codec for one message type; does nothing if one is already registered. */
  public static <T> void register(Vertx vertx, Class<T> type) {
    try {
      vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another verticle or an earlier start registered it: the codec is stateless, so theirs serves
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(type.getName() + " is local only; clustered delivery uses its JSON form");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getName() + " is local only; clustered delivery uses its JSON form");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return "ringway.local." + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
