package io.ringway.transport.uring;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Ring tunables of the io_uring transport ({@code transportOptions.io_uring}); a field left out keeps
 * Netty's default.
 *
 * @param ringSize submission queue entries per event loop (power of two, 2..32768)
 * @param cqSize completion queue entries (power of two, at least ringSize, at most 65536)
 * @param singleIssuer {@code IORING_SETUP_SINGLE_ISSUER}: only the loop thread submits
 * @param maxBoundedWorker io-wq bounded worker limit per ring (0 = kernel default)
 * @param maxUnboundedWorker io-wq unbounded worker limit per ring (0 = kernel default)
 * @param bufferRing provided-buffer ring that socket reads take their buffers from, or null for none
 * @param acceptOnEventLoop listening sockets live on the event loops (Vert.x's {@code ACCEPTOR_EVENT_LOOP_GROUP}
 *     is the loop group itself), null or true; false: on Vert.x's one dedicated acceptor thread, Vert.x's way
 */
public record IoUringOptions(Integer ringSize, Integer cqSize, Boolean singleIssuer, Integer maxBoundedWorker,
                             Integer maxUnboundedWorker, BufferRing bufferRing, Boolean acceptOnEventLoop) {

  /**
   * A provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}): the kernel picks a buffer at completion
   * time, so idle connections pin no read buffer.
   *
   * @param groupId buffer group id that channels name in their reads
   * @param entries buffers in the ring (power of two, 1..16384)
   * @param bufferSize bytes per buffer
   * @param batchSize buffers added to the ring at a time when it runs low
   * @param incremental {@code IOU_PBUF_RING_INC}: a buffer may be consumed by several reads
   */
  public record BufferRing(short groupId, short entries, int bufferSize, int batchSize, boolean incremental) {
  }

  private static final Set<String> KEYS =
      Set.of("ringSize", "cqSize", "singleIssuer", "maxBoundedWorker", "maxUnboundedWorker", "bufferRing",
          "acceptOnEventLoop");
  private static final Set<String> BUFFER_RING_KEYS =
      Set.of("groupId", "entries", "bufferSize", "batchSize", "incremental");
  private static final int MAX_ENTRIES = 32768;

  /** Reads and checks the options; every error found is added to {@code errors}, with its path. */
  static IoUringOptions read(JsonObject json, String path, List<ConfigError> errors) {
    unknownKeys(json, KEYS, path, errors);
    Integer ringSize = powerOfTwo(json, "ringSize", 2, MAX_ENTRIES, path, errors);
    Integer cqSize = powerOfTwo(json, "cqSize", 2, 2 * MAX_ENTRIES, path, errors);
    if (ringSize != null && cqSize != null && cqSize < ringSize) {
      errors.add(new ConfigError(path + ".cqSize", "must be at least ringSize (" + ringSize + "), got " + cqSize));
    }
    Boolean singleIssuer = bool(json, "singleIssuer", path, errors);
    Integer bounded = integer(json, "maxBoundedWorker", 0, 4096, path, errors);
    Integer unbounded = integer(json, "maxUnboundedWorker", 0, 4096, path, errors);
    BufferRing bufferRing = null;
    Object ring = json.getValue("bufferRing");
    if (ring instanceof JsonObject ringJson) {
      bufferRing = readBufferRing(ringJson, path + ".bufferRing", errors);
    } else if (ring != null) {
      errors.add(new ConfigError(path + ".bufferRing", "expected an object, got " + describe(ring)));
    }
    Boolean acceptOnEventLoop = bool(json, "acceptOnEventLoop", path, errors);
    return new IoUringOptions(ringSize, cqSize, singleIssuer, bounded, unbounded, bufferRing, acceptOnEventLoop);
  }

  private static BufferRing readBufferRing(JsonObject json, String path, List<ConfigError> errors) {
    unknownKeys(json, BUFFER_RING_KEYS, path, errors);
    Integer groupId = integer(json, "groupId", 0, Short.MAX_VALUE, path, errors);
    Integer entries = powerOfTwo(json, "entries", 1, 16384, path, errors);
    Integer bufferSize = integer(json, "bufferSize", 64, 1 << 20, path, errors);
    Integer batchSize = integer(json, "batchSize", 1, 16384, path, errors);
    Boolean incremental = bool(json, "incremental", path, errors);
    int ringEntries = entries == null ? 256 : entries;
    int batch = batchSize == null ? Math.max(1, ringEntries / 2) : batchSize;
    if (batch > ringEntries) {
      errors.add(new ConfigError(path + ".batchSize", "must be at most entries (" + ringEntries + "), got " + batch));
    }
    return new BufferRing((short) (groupId == null ? 0 : groupId), (short) ringEntries,
        bufferSize == null ? 4096 : bufferSize, batch, Boolean.TRUE.equals(incremental));
  }

  private static void unknownKeys(JsonObject json, Set<String> known, String path, List<ConfigError> errors) {
    json.fieldNames().stream().filter(key -> !known.contains(key)).sorted().forEach(key ->
        errors.add(new ConfigError(path + "." + key, "unknown key (known: " + String.join(", ", known.stream().sorted().toList()) + ")")));
  }

  private static Integer powerOfTwo(JsonObject json, String key, int min, int max, String path, List<ConfigError> errors) {
    Integer value = integer(json, key, min, max, path, errors);
    if (value != null && Integer.bitCount(value) != 1) {
      errors.add(new ConfigError(path + "." + key, "expected a power of two from " + min + " to " + max + ", got " + value));
      return null;
    }
    return value;
  }

  private static Integer integer(JsonObject json, String key, int min, int max, String path, List<ConfigError> errors) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= min && n.longValue() <= max) {
      return n.intValue();
    }
    errors.add(new ConfigError(path + "." + key, "expected an integer from " + min + " to " + max + ", got " + describe(value)));
    return null;
  }

  private static Boolean bool(JsonObject json, String key, String path, List<ConfigError> errors) {
    Object value = json.getValue(key);
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    errors.add(new ConfigError(path + "." + key, "expected true or false, got " + describe(value)));
    return null;
  }

  private static String describe(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  /** Validates, for callers that only want the errors. */
  static List<ConfigError> errors(JsonObject json, String path) {
    List<ConfigError> errors = new ArrayList<>();
    read(json, path, errors);
    return errors;
  }
}
