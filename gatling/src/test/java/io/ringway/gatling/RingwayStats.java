package io.ringway.gatling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ringway's own view of a run, from {@code /stats?format=json} summed over the router's instances: what each
 * route answered and every refusal, so a Gatling error can be told apart from a proxy error (Jackson comes
 * with Gatling).
 */
final class RingwayStats {

  private static final String[] ROUTE_COUNTS = {"requests", "2xx", "4xx", "5xx", "aborted", "timeouts", "overloaded",
      "upgrades"};
  private static final String[] LISTENER_COUNTS = {"connections", "requests", "noRoute", "badRequests",
      "headerTooLarge", "uriTooLong", "bodyTooLarge", "headerTimeouts", "refusedStreams", "streamErrors"};

  private RingwayStats() {
  }

  static String summary(Path statsJson) {
    try {
      JsonNode root = new ObjectMapper().readTree(statsJson.toFile());
      Map<String, long[]> routes = new TreeMap<>();
      Map<String, long[]> listeners = new TreeMap<>();
      for (JsonNode instance : root.path("instances")) {
        if (!"http-router".equals(instance.path("verticle").asText())) {
          continue;
        }
        add(instance.path("routes"), "route", ROUTE_COUNTS, routes);
        add(instance.path("listeners"), "listener", LISTENER_COUNTS, listeners);
      }
      StringBuilder out = new StringBuilder("ringway-load: Ringway counted");
      append(out, "route", ROUTE_COUNTS, routes);
      append(out, "listener", LISTENER_COUNTS, listeners);
      return out.toString();
    } catch (IOException | RuntimeException e) {
      return "ringway-load: cannot read " + statsJson + ": " + e;
    }
  }

  private static void add(JsonNode entries, String nameField, String[] fields, Map<String, long[]> into) {
    for (JsonNode entry : entries) {
      long[] sums = into.computeIfAbsent(entry.path(nameField).asText(), name -> new long[fields.length]);
      for (int i = 0; i < fields.length; i++) {
        sums[i] += entry.path(fields[i]).asLong();
      }
    }
  }

  /** Entries that saw traffic, and of their counters only those that are not zero. */
  private static void append(StringBuilder out, String kind, String[] fields, Map<String, long[]> sums) {
    sums.forEach((name, counts) -> {
      if (counts[0] == 0 && counts[1] == 0) {
        return;
      }
      out.append("\n  ").append(kind).append(' ').append(name).append(':');
      for (int i = 0; i < fields.length; i++) {
        if (counts[i] != 0) {
          out.append(' ').append(fields[i]).append(' ').append(counts[i]);
        }
      }
    });
  }
}
