package io.ringway.spi.message;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * The one event-bus codec of Ringway's message records. Delivered on this node, the record itself is
 * passed by reference: records are immutable, so sender and receivers may share the instance. Sent to
 * another member, it travels as its JSON form: a length-prefixed UTF-8 JSON object (as Vert.x's own
 * {@code JsonObject} codec writes it), read back with the record's {@code fromJson}.
 */
final class RecordCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  private RecordCodec(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.type = type;
    this.toJson = toJson;
    this.fromJson = fromJson;
  }

  /** A record that may cross nodes as its JSON form. */
  static <T> RecordCodec<T> of(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    return new RecordCodec<>(type, toJson, fromJson);
  }

  /** A record with no JSON form: only ever published or sent local-only. */
  static <T> RecordCodec<T> localOnly(Class<T> type) {
    return new RecordCodec<>(type, null, null);
  }

  Class<T> type() {
    return type;
  }

  /** Whether the record can cross nodes. */
  boolean clustered() {
    return toJson != null;
  }

  /** The record's JSON form. */
  JsonObject toJson(T record) {
    if (toJson == null) {
      throw localOnlyError();
    }
    return toJson.apply(record);
  }

  /** The record read from its JSON form; throws {@link IllegalArgumentException} naming a bad field. */
  T fromJson(JsonObject json) {
    if (fromJson == null) {
      throw localOnlyError();
    }
    return fromJson.apply(json);
  }

  @Override
  public void encodeToWire(Buffer buffer, T record) {
    Buffer json = toJson(record).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson(new JsonObject(buffer.slice(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T record) {
    return record;
  }

  @Override
  public String name() {
    return "ringway." + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  private UnsupportedOperationException localOnlyError() {
    return new UnsupportedOperationException(type.getName()
        + " is local only: send or publish it with DeliveryOptions.setLocalOnly(true)");
  }
}
