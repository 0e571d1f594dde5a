package io.ringway.spi.upstream;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Bytes a health check sends or expects, kept in the form config wrote them so records compare by
 * value on reload ({@code byte[]} would not).
 *
 * @param value the text, or the bytes as hex digits
 * @param hex whether {@code value} is hex
 */
public record HealthCheckPayload(String value, boolean hex) {

  public HealthCheckPayload {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("payload: must not be empty");
    }
    if (hex) {
      try {
        HexFormat.of().parseHex(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("payload: \"" + value + "\" is not an even number of hex digits", e);
      }
    }
  }

  /** Text sent or expected as UTF-8. */
  public static HealthCheckPayload text(String text) {
    return new HealthCheckPayload(text, false);
  }

  /** Bytes written as hex digits, e.g. {@code "0d0a"}. */
  public static HealthCheckPayload hex(String hex) {
    return new HealthCheckPayload(hex, true);
  }

  /** The bytes; a fresh array each call. */
  public byte[] bytes() {
    return hex ? HexFormat.of().parseHex(value) : value.getBytes(StandardCharsets.UTF_8);
  }
}
