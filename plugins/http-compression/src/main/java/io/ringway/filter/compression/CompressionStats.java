package io.ringway.filter.compression;

/** Counters of one compression filter on one event loop. */
final class CompressionStats {
  long compressed;
  long skipped;
  long bytesIn;
  long bytesOut;
}
