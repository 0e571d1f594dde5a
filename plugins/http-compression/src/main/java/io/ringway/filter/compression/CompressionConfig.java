package io.ringway.filter.compression;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code compression} of one route.
 *
 * @param minBytes responses declaring a smaller content-length stay as they are (gzip's header and trailer cost
 *     18 bytes, and small bodies barely shrink)
 * @param contentTypes media types (lower case) compressed; an entry ending in {@code /} takes the whole type
 *     ({@code text/})
 * @param level the compression level, 1 (fastest) to 9 (smallest): deflate's, and zstd's own 1 to 9
 * @param encodings the codings offered, in the order preferred when a client weighs them equally: {@code gzip},
 *     {@code zstd} (default: gzip only)
 */
record CompressionConfig(int minBytes, List<String> contentTypes, int level, List<String> encodings) {

  static final List<String> ENCODINGS = List.of("gzip", "zstd");

  static final List<String> DEFAULT_TYPES = List.of("text/", "application/json", "application/javascript",
      "application/xml", "application/xhtml+xml", "application/wasm", "image/svg+xml");
  private static final Set<String> KEYS = Set.of("minBytes", "contentTypes", "level", "encodings");

  static CompressionConfig of(JsonObject json) {
    List<String> types = new ArrayList<>();
    JsonArray given = json.getJsonArray("contentTypes");
    if (given == null) {
      types.addAll(DEFAULT_TYPES);
    } else {
      given.forEach(type -> types.add(((String) type).trim().toLowerCase(Locale.ROOT)));
    }
    List<String> encodings = new ArrayList<>();
    JsonArray offered = json.getJsonArray("encodings");
    if (offered == null) {
      encodings.add("gzip");
    } else {
      offered.forEach(encoding -> encodings.add((String) encoding));
    }
    return new CompressionConfig(json.getInteger("minBytes", 1024), List.copyOf(types), json.getInteger("level", 5),
        List.copyOf(encodings));
  }

  static List<ConfigError> validate(JsonObject json, String path) {
    List<ConfigError> errors = new ArrayList<>();
    json.fieldNames().stream().filter(name -> !KEYS.contains(name)).sorted().forEach(name ->
        errors.add(new ConfigError(path + "." + name, "unknown key (known: minBytes, contentTypes, level, encodings)")));
    Object min = json.getValue("minBytes");
    if (min != null && !(min instanceof Integer bytes && bytes >= 0)) {
      errors.add(new ConfigError(path + ".minBytes", "expected an integer from 0, got " + min));
    }
    Object level = json.getValue("level");
    if (level != null && !(level instanceof Integer number && number >= 1 && number <= 9)) {
      errors.add(new ConfigError(path + ".level", "expected an integer from 1 to 9, got " + level));
    }
    Object types = json.getValue("contentTypes");
    if (types != null && !(types instanceof JsonArray list && !list.isEmpty()
        && list.stream().allMatch(type -> type instanceof String text && text.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]*")))) {
      errors.add(new ConfigError(path + ".contentTypes", "expected a non-empty list of media types such as text/ "
          + "(a whole type) or application/json"));
    }
    Object encodings = json.getValue("encodings");
    if (encodings != null && !(encodings instanceof JsonArray list && !list.isEmpty()
        && list.stream().allMatch(ENCODINGS::contains) && list.stream().distinct().count() == list.size())) {
      errors.add(new ConfigError(path + ".encodings", "expected a non-empty list of gzip and/or zstd, each once, got "
          + encodings));
    }
    return errors;
  }
}
