package io.ringway.transport.uring;

import io.netty.channel.Channel;
import io.ringway.spi.AcceptedChannels;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps an io_uring listening socket from re-arming its accept after a failed one. Netty 4.2's channel
 * re-arms a multishot accept that ended in an error (EMFILE once the process is out of file descriptors) as
 * soon as its completion is handled, auto-read off or not, and with connections in the accept queue the new
 * accept fails at once: a loop at 100 % CPU until a descriptor frees. The only switch Netty checks before
 * re-arming is its private "input closed after a read error" flag; set, no read is armed, and cleared with
 * auto-read back on, the next read arms as usual. Turning multishot accept off would also do, at a measured
 * cost under connection churn (docs/benchmarks.md, "Accept limits").
 */
final class FailedAcceptHold implements AcceptedChannels.AcceptHold {

  private static final System.Logger LOG = System.getLogger(FailedAcceptHold.class.getName());
  private static final String FIELD = "inputClosedSeenErrorOnRead";

  /** Null when this Netty has no such field: then a failed accept is only logged less often. */
  private final VarHandle flag;

  FailedAcceptHold() {
    this.flag = find();
  }

  private static VarHandle find() {
    try {
      Class<?> channel = Class.forName("io.netty.channel.uring.AbstractIoUringChannel");
      return MethodHandles.privateLookupIn(channel, MethodHandles.lookup()).findVarHandle(channel, FIELD, boolean.class);
    } catch (ReflectiveOperationException | RuntimeException changed) {
      LOG.log(System.Logger.Level.WARNING, "io_uring: this Netty has no " + FIELD + " to hold a failed accept with ("
          + changed + "); out of file descriptors, a listening socket retries its accept at full speed");
      return null;
    }
  }

  @Override
  public void hold(Channel socket, boolean held) {
    if (flag != null && flag.coordinateTypes().getFirst().isInstance(socket)) {
      flag.set(socket, held);
    }
  }
}
