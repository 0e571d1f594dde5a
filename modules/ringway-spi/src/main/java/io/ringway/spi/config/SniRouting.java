package io.ringway.spi.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * TLS passthrough by SNI on a TCP listener ({@code tcp.listeners[].sni}): the ClientHello is read, not answered,
 * its server name picks the cluster, and every byte (the peeked ones first) goes to it untouched.
 *
 * @param routes names to clusters, tried in order; a name is exact or {@code *.example.com} (one label)
 * @param unmatched what becomes of a connection whose hello names no route, has no SNI or is not TLS:
 *     {@link Unmatched#DEFAULT} sends it to the listener's {@code cluster}, {@link Unmatched#CLOSE} closes it
 * @param peekBytes the most bytes read while looking for the server name; a longer hello is cut off
 * @param peekTimeout how long the client has to send its hello
 */
public record SniRouting(List<Route> routes, Unmatched unmatched, int peekBytes, Duration peekTimeout) {

  public static final int DEFAULT_PEEK_BYTES = 16_384;
  public static final Duration DEFAULT_PEEK_TIMEOUT = Duration.ofSeconds(5);

  /** What becomes of a connection no route takes. */
  public enum Unmatched { DEFAULT, CLOSE }

  /**
   * One route.
   *
   * @param serverNames exact names or {@code *.} wildcards, lower case
   * @param cluster the cluster their connections go to
   */
  public record Route(List<String> serverNames, String cluster) {

    public Route {
      serverNames = serverNames.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
      Objects.requireNonNull(cluster, "cluster");
    }

    /** Whether {@code serverName} (lower case) is one of this route's names. */
    public boolean matches(String serverName) {
      for (String name : serverNames) {
        if (name.startsWith("*.")) {
          int dot = serverName.indexOf('.');
          if (dot > 0 && serverName.substring(dot).equals(name.substring(1))) {
            return true;
          }
        } else if (name.equals(serverName)) {
          return true;
        }
      }
      return false;
    }
  }

  public SniRouting {
    routes = List.copyOf(routes);
    Objects.requireNonNull(unmatched, "unmatched");
    Objects.requireNonNull(peekTimeout, "peekTimeout");
  }

  /** The cluster {@code serverName} routes to, or null when no route names it. */
  public String clusterFor(String serverName) {
    String name = serverName.toLowerCase(Locale.ROOT);
    for (Route route : routes) {
      if (route.matches(name)) {
        return route.cluster();
      }
    }
    return null;
  }
}
