/**
 * Ringway's config: {@link io.ringway.config.ConfigLoader} reads YAML, applies environment and
 * system-property overrides and validates into {@link io.ringway.spi.config.RingwayConfig};
 * {@link io.ringway.config.ConfigVerticle} watches the file and publishes accepted changes.
 * Everything under {@code impl} may change without notice.
 */
package io.ringway.config;
