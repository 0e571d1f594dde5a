package io.ringway.spi.config;

import java.util.List;

/** How Hazelcast members find each other: {@code cluster.discovery}, exactly one of the three. */
public sealed interface ClusterDiscovery {

  /**
   * {@code tcpIp: {members: [10.0.0.1, 10.0.0.2:5701, 127.0.0.1:5701-5703]}}: a fixed member list.
   *
   * @param members addresses, each optionally with a port or a port range
   */
  record TcpIp(List<String> members) implements ClusterDiscovery {
    public TcpIp {
      members = List.copyOf(members);
    }
  }

  /**
   * {@code multicast: {group: 224.2.2.3, port: 54327}}: members announce themselves on a multicast group.
   *
   * @param group the multicast group address
   * @param port the multicast UDP port
   */
  record Multicast(String group, int port) implements ClusterDiscovery {
  }

  /**
   * {@code kubernetes: {serviceDns: ringway-hz, namespace: prod}}: Hazelcast's Kubernetes discovery by a
   * DNS lookup of a headless service (no API access needed).
   *
   * @param serviceDns the headless service's DNS name; a bare service name is completed with the namespace
   * @param namespace the service's namespace, or null when {@code serviceDns} is already fully qualified
   */
  record Kubernetes(String serviceDns, String namespace) implements ClusterDiscovery {

    /** The name to look up: {@code serviceDns} as given when it has a dot, else {@code <service>.<namespace>.svc.cluster.local}. */
    public String lookupName() {
      return serviceDns.indexOf('.') >= 0 || namespace == null ? serviceDns : serviceDns + "." + namespace + ".svc.cluster.local";
    }
  }
}
