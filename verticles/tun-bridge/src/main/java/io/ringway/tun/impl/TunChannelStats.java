package io.ringway.tun.impl;

/**
 * Counters of one TUN channel, read on its event loop only ({@link NioTunChannel} counts reads on
 * its reader thread and copies them in when {@link TunChannel#stats} is called).
 */
public final class TunChannelStats {

  /** Inner packets handed to the bridge (segments, with offloads) and their bytes. */
  public long packetsRead;
  public long bytesRead;
  /** Reads from the fd (each one packet, or one super-packet with offloads). */
  public long reads;
  /** Writes to the fd that completed: each one packet, or one coalesced super-packet. */
  public long writes;
  /** Inner packets in the writes that completed, and the bytes written (virtio-net headers included). */
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
  /** Offload outcomes: super-packets read/written, segments, passed one by one, malformed. */
  public final TunOffload.Counters offload = new TunOffload.Counters();
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
