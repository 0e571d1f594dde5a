package io.ringway.spi;

import io.ringway.spi.config.RingwayConfig;

/**
 * A validated config with its version; versions only grow, starting at 1.
 *
 * @param version monotonic version of this node's accepted config
 * @param config the validated config
 * @param source where the document came from (a file path, "jar:conf/ringway.yaml", "admin")
 */
public record ConfigSnapshot(long version, RingwayConfig config, String source) {
}
