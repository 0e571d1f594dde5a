package io.ringway.spi;

import java.time.Instant;

/**
 * What a node says about itself on {@link Addresses#NODE_INFO}.
 *
 * @param version Ringway's version
 * @param transport the transport the event loops really run on (probed, not the configured name)
 * @param eventLoops number of event-loop threads
 * @param configVersion version of the config in force
 * @param startedAt when the node started
 * @param phase starting, ready or draining
 */
public record NodeInfo(String version, String transport, int eventLoops, long configVersion,
                       Instant startedAt, NodePhase phase) {
}
