package io.ringway.tun.impl;

/**
 * Counters of one TUN channel, read on its event loop only ({@link NioTunChannel} counts reads on
 * its reader thread and copies them in when {@link TunChannel#stats} is called).
 */
public final class TunChannelStats {

  public long packetsRead;
  public long bytesRead;
  public long packetsWritten;
  public long bytesWritten;
  /** Writes refused because every write slot was in flight. */
  public long writesDropped;
  /**
   * Packets read but dropped because the loop had not yet taken the ones before: only the reader
   * thread path ({@link NioTunChannel}) hands packets across threads; 0 elsewhere.
   */
  public long readsDropped;
  public long readErrors;
  public long writeErrors;
  public long handlerFailures;
  /** Last negative errno a read or write completed with (0 if none). */
  public int lastReadError;
  public int lastWriteError;

  @Override
  public String toString() {
    return "read " + packetsRead + "/" + bytesRead + "B, written " + packetsWritten + "/"
        + bytesWritten + "B, dropped w" + writesDropped + " r" + readsDropped + ", errors r" + readErrors
        + " w" + writeErrors + ", handler failures " + handlerFailures;
  }
}
