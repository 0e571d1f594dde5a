package io.ringway.spi.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Typed reads of one field of a message's JSON form, for the {@code fromJson} of the message records.
 * A missing field, a value of the wrong type, or no object at all is an {@link IllegalArgumentException}
 * whose message starts with the field's path ({@code endpoints[2].port: missing}), never an NPE or a
 * {@link ClassCastException}.
 */
public final class JsonFields {

  private JsonFields() {
  }

  /** A string field that must be there. */
  public static String string(JsonObject json, String field) {
    String value = optionalString(json, field);
    if (value == null) {
      throw missing(field);
    }
    return value;
  }

  /** A string field, or {@code null} when absent or JSON null. */
  public static String optionalString(JsonObject json, String field) {
    Object value = value(json, field);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw wrongType(field, "a string", value);
  }

  /** An integer field that must be there. */
  public static long longValue(JsonObject json, String field) {
    Long value = optionalLong(json, field);
    if (value == null) {
      throw missing(field);
    }
    return value;
  }

  /** An integer field, or {@code null} when absent or JSON null. */
  public static Long optionalLong(JsonObject json, String field) {
    Object value = value(json, field);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    throw wrongType(field, "an integer", value);
  }

  /** An integer field within {@code int} range that must be there. */
  public static int intValue(JsonObject json, String field) {
    long value = longValue(json, field);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(field + ": " + value + " is out of range");
    }
    return (int) value;
  }

  /** A boolean field that must be there. */
  public static boolean bool(JsonObject json, String field) {
    return required(json, field, Boolean.class, "true or false");
  }

  /** An ISO-8601 instant ({@code 2026-11-23T10:00:00Z}) that must be there. */
  public static Instant instant(JsonObject json, String field) {
    String value = string(json, field);
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + ": \"" + value + "\" is not an ISO-8601 instant", e);
    }
  }

  /** An enum constant by name (case-insensitive) that must be there; an unknown name lists the known ones. */
  public static <E extends Enum<E>> E enumValue(JsonObject json, String field, Class<E> type) {
    String value = string(json, field);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(value.toUpperCase(Locale.ROOT))) {
        return constant;
      }
    }
    throw new IllegalArgumentException(field + ": unknown value \"" + value + "\" (known: "
        + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()) + ")");
  }

  /** A JSON object field that must be there. */
  public static JsonObject object(JsonObject json, String field) {
    return required(json, field, JsonObject.class, "an object");
  }

  /** An object field read by {@code reader}; its errors are prefixed with {@code field.}. */
  public static <T> T nested(JsonObject json, String field, Function<JsonObject, T> reader) {
    JsonObject object = object(json, field);
    try {
      return reader.apply(object);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + "." + e.getMessage(), e);
    }
  }

  /** An array of objects that must be there, each read by {@code reader}; errors name the element: {@code peers[1].name}. */
  public static <T> List<T> list(JsonObject json, String field, Function<JsonObject, T> reader) {
    JsonArray array = array(json, field);
    List<T> list = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String element = field + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject object)) {
        throw wrongType(element, "an object", array.getValue(i));
      }
      try {
        list.add(reader.apply(object));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(element + "." + e.getMessage(), e);
      }
    }
    return list;
  }

  /** An array of strings, empty when absent. */
  public static List<String> strings(JsonObject json, String field) {
    if (value(json, field) == null) {
      return List.of();
    }
    JsonArray array = array(json, field);
    List<String> list = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String value)) {
        throw wrongType(field + "[" + i + "]", "a string", array.getValue(i));
      }
      list.add(value);
    }
    return list;
  }

  private static JsonArray array(JsonObject json, String field) {
    return required(json, field, JsonArray.class, "an array");
  }

  /** A field that must be there and hold a {@code type}; {@code expected} names it in the error. */
  private static <T> T required(JsonObject json, String field, Class<T> type, String expected) {
    Object value = value(json, field);
    if (value == null) {
      throw missing(field);
    }
    if (type.isInstance(value)) {
      return type.cast(value);
    }
    throw wrongType(field, expected, value);
  }

  private static Object value(JsonObject json, String field) {
    if (json == null) {
      throw new IllegalArgumentException(field + ": missing (no JSON object at all)");
    }
    return json.getValue(field);
  }

  private static IllegalArgumentException missing(String field) {
    return new IllegalArgumentException(field + ": missing");
  }

  private static IllegalArgumentException wrongType(String field, String expected, Object value) {
    return new IllegalArgumentException(field + ": expected " + expected + ", got "
        + (value == null ? "null" : value instanceof String s ? "\"" + s + "\"" : value));
  }
}
