package io.ringway.admin.impl;

import io.ringway.spi.message.InstanceStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the counters of verticle instances (the {@code ringway.stats.collect} contract) into the
 * Prometheus text format, summed over instances so a scrape sees one series per listener, route,
 * cluster and endpoint whatever the number of event loops.
 *
 * <p>The mapping follows the shape of the answers, so a new counter in a verticle shows up without a
 * change here: numbers become series named after their path ({@code listeners[].bytesIn} of the TCP
 * proxy is {@code ringway_tcp_proxy_listener_bytes_in_total}); string fields of an object (and
 * {@code port}) become labels of every series below it; booleans become 0/1 gauges; a list of
 * {@code {"le": bound, "count": n}} is a histogram with per-bucket counts and {@code le: -1} for the rest;
 * {@code 2xx}-style fields are one {@code _responses_total} series per {@code status_class}.
 * Numbers are counters unless their name says they are a level ({@code active*}, {@code open*},
 * {@code pending*}, {@code *InFlight}) or a state ({@link #STATE}); levels add up over instances, states
 * take the largest value, since every instance reports the same state of shared things.
 */
final class PrometheusText {

  /** Fields that identify an instance, not what it counts. */
  private static final Set<String> IDENTITY = Set.of("verticle", "instance", "instances", "thread");
  private static final Set<String> STATE = Set.of("configVersion", "draining", "healthy", "ejected", "weight",
      "healthChecker", "maxConnections");

  private enum Kind { COUNTER, GAUGE_SUM, GAUGE_MAX, HISTOGRAM }

  private record Family(Kind kind, Map<String, Double> series) {
  }

  private final Map<String, Family> families = new TreeMap<>();

  /** Renders the instances' counters; {@code verticleInstances} of each verticle are reported too. */
  static String render(List<InstanceStats> instances) {
    PrometheusText text = new PrometheusText();
    Map<String, Integer> counts = new TreeMap<>();
    for (InstanceStats instance : instances) {
      counts.merge(instance.verticle(), 1, Integer::sum);
      text.walk("ringway_" + snake(instance.verticle()), Map.of(), instance.toJson());
    }
    counts.forEach((verticle, count) ->
        text.add("ringway_verticle_instances", Kind.GAUGE_SUM, labels(Map.of("verticle", verticle)), count));
    return text.format();
  }

  private void walk(String prefix, Map<String, String> outer, JsonObject object) {
    Map<String, String> labels = new LinkedHashMap<>(outer);
    object.forEach(field -> {
      if (!IDENTITY.contains(field.getKey()) && (field.getValue() instanceof String
          || field.getKey().equals("port") && field.getValue() instanceof Number)) {
        labels.put(snake(field.getKey()), String.valueOf(field.getValue()));
      }
    });
    String rendered = labels(labels);
    object.forEach(field -> {
      String key = field.getKey();
      String name = prefix + "_" + snake(key);
      Object value = field.getValue();
      if (IDENTITY.contains(key) || key.equals("port")) {
        return;
      }
      if (value instanceof Number number && key.matches("[1-5]xx")) {
        Map<String, String> withClass = new LinkedHashMap<>(labels);
        withClass.put("status_class", key);
        add(prefix + "_responses", Kind.COUNTER, labels(withClass), number.doubleValue());
      } else if (value instanceof Number number) {
        add(name, kind(key), rendered, number.doubleValue());
      } else if (value instanceof Boolean flag) {
        add(name, Kind.GAUGE_MAX, rendered, flag ? 1 : 0);
      } else if (value instanceof JsonObject nested) {
        walk(name, labels, nested);
      } else if (value instanceof JsonArray array) {
        if (isHistogram(array)) {
          addHistogram(name, labels, array);
        } else {
          String element = prefix + "_" + snake(singular(key));
          array.forEach(entry -> {
            if (entry instanceof JsonObject nested) {
              walk(element, labels, nested);
            }
          });
        }
      }
    });
  }

  private static Kind kind(String key) {
    if (STATE.contains(key)) {
      return Kind.GAUGE_MAX;
    }
    boolean level = key.startsWith("active") || key.startsWith("open") || key.startsWith("pending")
        || key.equals("inFlight") || key.endsWith("InFlight");
    return level ? Kind.GAUGE_SUM : Kind.COUNTER;
  }

  private static boolean isHistogram(JsonArray array) {
    return !array.isEmpty() && array.stream().allMatch(entry -> entry instanceof JsonObject bucket
        && bucket.size() == 2 && bucket.getValue("le") instanceof Number && bucket.getValue("count") instanceof Number);
  }

  /** Per-bucket counts become Prometheus' cumulative buckets, {@code +Inf} and {@code _count}. */
  private void addHistogram(String name, Map<String, String> labels, JsonArray array) {
    List<JsonObject> buckets = new ArrayList<>();
    array.forEach(entry -> buckets.add((JsonObject) entry));
    buckets.sort(Comparator.comparingDouble(bucket -> bound(bucket.getDouble("le"))));
    double cumulative = 0;
    for (JsonObject bucket : buckets) {
      cumulative += bucket.getDouble("count");
      double le = bound(bucket.getDouble("le"));
      Map<String, String> withLe = new LinkedHashMap<>(labels);
      withLe.put("le", le == Double.POSITIVE_INFINITY ? "+Inf" : number(le));
      add(name + "_bucket", Kind.HISTOGRAM, labels(withLe), cumulative);
    }
    if (bound(buckets.getLast().getDouble("le")) != Double.POSITIVE_INFINITY) {
      Map<String, String> withLe = new LinkedHashMap<>(labels);
      withLe.put("le", "+Inf");
      add(name + "_bucket", Kind.HISTOGRAM, labels(withLe), cumulative);
    }
    add(name + "_count", Kind.HISTOGRAM, labels(labels), cumulative);
  }

  private static double bound(double le) {
    return le < 0 ? Double.POSITIVE_INFINITY : le;
  }

  private void add(String name, Kind kind, String labels, double value) {
    String family = kind == Kind.COUNTER ? name + "_total" : name;
    Family target = families.computeIfAbsent(family, created -> new Family(kind, new LinkedHashMap<>()));
    target.series().merge(labels, value, kind == Kind.GAUGE_MAX ? Math::max : Double::sum);
  }

  private String format() {
    StringBuilder out = new StringBuilder();
    Map<String, Boolean> typed = new LinkedHashMap<>();
    families.forEach((name, family) -> {
      String base = family.kind() == Kind.HISTOGRAM ? name.replaceAll("_(bucket|count)$", "") : name;
      if (typed.putIfAbsent(base, true) == null) {
        out.append("# TYPE ").append(base).append(' ').append(switch (family.kind()) {
          case COUNTER -> "counter";
          case GAUGE_SUM, GAUGE_MAX -> "gauge";
          case HISTOGRAM -> "histogram";
        }).append('\n');
      }
      family.series().forEach((labels, value) -> out.append(name).append(labels).append(' ').append(number(value)).append('\n'));
    });
    return out.toString();
  }

  private static String labels(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("{");
    labels.forEach((key, value) -> out.append(out.length() > 1 ? "," : "").append(key).append("=\"")
        .append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"'));
    return out.append('}').toString();
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  /** {@code bytesIn} → {@code bytes_in}, {@code tcp-proxy} → {@code tcp_proxy}. */
  static String snake(String name) {
    String snake = name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("[^A-Za-z0-9_]", "_").toLowerCase(Locale.ROOT);
    return snake.isEmpty() || Character.isDigit(snake.charAt(0)) ? "_" + snake : snake;
  }

  private static String singular(String name) {
    return name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
  }
}
