package io.ringway.launcher.affinity;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import io.ringway.spi.config.CpuList;
import java.util.ArrayList;
import java.util.List;

/**
 * The calling thread's CPU mask through {@code sched_setaffinity(2)} / {@code sched_getaffinity(2)} with pid 0,
 * which the kernel reads as "this thread", not the whole process: each event loop pins itself.
 */
final class ThreadAffinity {

  private static final int MASK_WORDS = CpuList.MAX_CPUS / Long.SIZE;
  private static final int EINVAL = 22;

  static {
    Native.register("c");
  }

  private ThreadAffinity() {
  }

  private static native int sched_setaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

  private static native int sched_getaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

  /**
   * Lets the calling thread run on {@code cpus} only.
   *
   * @throws AffinityException naming the CPUs and why the kernel refused them
   */
  static void restrictCurrentThread(List<Integer> cpus) {
    long[] mask = new long[MASK_WORDS];
    cpus.forEach(cpu -> mask[cpu / Long.SIZE] |= 1L << (cpu % Long.SIZE));
    try {
      sched_setaffinity(0, mask.length * (long) Long.BYTES, mask);
    } catch (LastErrorException e) {
      throw new AffinityException("sched_setaffinity to CPU " + CpuList.format(cpus) + " failed: "
          + (e.getErrorCode() == EINVAL ? "no such CPU is online and allowed to this process" : "errno " + e.getErrorCode()));
    }
  }

  /** The CPUs the calling thread may run on now, as the kernel reports them. */
  static List<Integer> currentThreadCpus() {
    long[] mask = new long[MASK_WORDS];
    sched_getaffinity(0, mask.length * (long) Long.BYTES, mask);
    List<Integer> cpus = new ArrayList<>();
    for (int cpu = 0; cpu < CpuList.MAX_CPUS; cpu++) {
      if ((mask[cpu / Long.SIZE] & 1L << (cpu % Long.SIZE)) != 0) {
        cpus.add(cpu);
      }
    }
    return cpus;
  }
}
