package io.ringway.spi.config;

import java.util.List;
import java.util.Map;

/**
 * Header changes applied in order: {@code remove} first, then {@code set}.
 *
 * @param set headers set (replacing any value) by name (default none)
 * @param remove header names removed, case-insensitive (default none)
 */
public record HeaderRewrite(Map<String, String> set, List<String> remove) {

  public static final HeaderRewrite NONE = new HeaderRewrite(Map.of(), List.of());

  public HeaderRewrite {
    set = Map.copyOf(set);
    remove = List.copyOf(remove);
  }
}
