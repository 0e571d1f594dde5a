package io.ringway.tun.impl;

/** Counters of one TUN channel, written and read on its event loop only. */
public final class TunChannelStats {

  public long packetsRead;
  public long bytesRead;
  public long packetsWritten;
  public long bytesWritten;
  /** Writes refused because every write slot was in flight. */
  public long writesDropped;
  public long readErrors;
  public long writeErrors;
  public long handlerFailures;
  /** Last negative errno a read or write completed with (0 if none). */
  public int lastReadError;
  public int lastWriteError;

  @Override
  public String toString() {
    return "read " + packetsRead + "/" + bytesRead + "B, written " + packetsWritten + "/"
        + bytesWritten + "B, dropped " + writesDropped + ", errors r" + readErrors + " w" + writeErrors
        + ", handler failures " + handlerFailures;
  }
}
