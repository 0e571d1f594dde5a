package io.ringway.tun.impl;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the TUN device needs, bound with JNA direct mapping (the build's release is
 * 21, where FFM is not final). Every call throws {@link LastErrorException} carrying errno.
 */
public final class LibC {

  public static final int O_RDWR = 0x2;
  public static final int O_NONBLOCK = 0x800;
  public static final int O_CLOEXEC = 0x80000;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  public static final int SOCK_DGRAM = 2;

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int EACCES = 13;
  public static final int EFAULT = 14;
  public static final int EBUSY = 16;
  public static final int ENODEV = 19;
  public static final int EINVAL = 22;
  public static final int ENOTSOCK = 88;
  public static final int ECANCELED = 125;

  /** {@code struct pollfd} is {int fd; short events; short revents;}: 8 bytes. */
  public static final int POLLFD_SIZE = 8;
  public static final short POLLIN = 0x1;
  public static final short POLLNVAL = 0x20;

  static {
    Native.register("c");
  }

  private LibC() {
  }

  public static native int open(String path, int flags) throws LastErrorException;

  public static native int ioctl(int fd, long request, Pointer argument) throws LastErrorException;

  public static native int socket(int domain, int type, int protocol) throws LastErrorException;

  public static native int close(int fd) throws LastErrorException;

  public static native int setsockopt(int fd, int level, int option, Pointer value, int length) throws LastErrorException;

  /** Returns the number of ready fds, 0 on timeout. */
  public static native int poll(Pointer fds, long nfds, int timeoutMillis) throws LastErrorException;

  /** On a TUN fd: one whole packet per call (truncated to {@code count}); EAGAIN when none is queued. */
  public static native long read(int fd, Pointer buffer, long count) throws LastErrorException;

  /** On a TUN fd: one whole packet per call. */
  public static native long write(int fd, Pointer buffer, long count) throws LastErrorException;
}
