package io.ringway.spi.config;

/**
 * {@code cluster.announce[i]}: one of this node's listeners, registered as an endpoint of an upstream
 * cluster for as long as the node is a member.
 *
 * @param cluster the upstream cluster the listener joins
 * @param listener the name of one of this node's TCP or HTTP listeners
 * @param host the address other nodes reach it at; null for the listener's host, or this member's
 *     cluster address when the listener binds a wildcard
 */
public record ClusterAnnouncement(String cluster, String listener, String host) {
}
