package io.ringway.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.ringway.tun.impl.LibC;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * A TUN interface (IFF_TUN | IFF_NO_PI: the fd carries bare IP packets, one per read or write).
 * Configured with ioctls only (no {@code ip} command): TUNSETIFF, SIOCSIFMTU, SIOCSIFADDR and
 * SIOCSIFNETMASK for IPv4, SIOCSIFADDR with {@code in6_ifreq} for IPv6, SIOCSIFFLAGS for up.
 *
 * <p>Every method blocks briefly in syscalls: call it before deploying or in executeBlocking,
 * never on an event loop. The interface is not persistent: the kernel removes it when the last
 * fd on it closes.
 */
public final class TunDevice implements AutoCloseable {

  /** Default clone device. */
  public static final String DEV_NET_TUN = "/dev/net/tun";

  private static final long TUNSETIFF = 0x400454caL;
  /** _IOR('T', 207, unsigned int): the IFF_* flags this kernel's TUN driver knows. */
  private static final long TUNGETFEATURES = 0x800454cfL;
  /** _IOW('T', 208, unsigned int): the offloads the device may hand us (TUN_F_*). */
  private static final long TUNSETOFFLOAD = 0x400454d0L;
  private static final long SIOCGIFFLAGS = 0x8913;
  private static final long SIOCSIFFLAGS = 0x8914;
  private static final long SIOCSIFADDR = 0x8916;
  private static final long SIOCSIFNETMASK = 0x891c;
  private static final long SIOCSIFMTU = 0x8922;
  private static final long SIOCGIFINDEX = 0x8933;
  private static final short IFF_TUN = 0x0001;
  private static final short IFF_NO_PI = 0x1000;
  private static final short IFF_MULTI_QUEUE = 0x0100;
  private static final short IFF_VNET_HDR = 0x4000;
  private static final short IFF_UP = 0x1;
  /** if_tun.h: checksums may be left to us (NEEDS_CSUM), TCP super-packets, UDP (USO, kernel 6.2+). */
  public static final int TUN_F_CSUM = 0x01;
  public static final int TUN_F_TSO4 = 0x02;
  public static final int TUN_F_TSO6 = 0x04;
  public static final int TUN_F_USO4 = 0x20;
  public static final int TUN_F_USO6 = 0x40;
  private static final int IFNAMSIZ = 16;
  private static final int IFREQ_SIZE = 40;

  private final int fd;
  private final String name;
  private final boolean vnetHeader;
  private int offloads;
  private boolean ipv4Set;
  private boolean closed;

  private TunDevice(int fd, String name, boolean vnetHeader) {
    this.fd = fd;
    this.name = name;
    this.vnetHeader = vnetHeader;
  }

  /**
   * Creates the interface {@code name} (or attaches a queue to it when {@code multiQueue}).
   *
   * @param devicePath the clone device, normally {@link #DEV_NET_TUN}
   * @param name interface name, at most 15 bytes; {@code %d} lets the kernel pick a number
   * @throws TunException naming what is missing: the device, root/CAP_NET_ADMIN, or a free name
   */
  public static TunDevice open(String devicePath, String name, boolean multiQueue) {
    return open(devicePath, name, multiQueue, false);
  }

  /**
   * As {@link #open(String, String, boolean)}; with {@code vnetHeader} the device is opened with
   * IFF_VNET_HDR when this kernel's TUN driver knows it (TUNGETFEATURES), so every read and write
   * carries a {@code struct virtio_net_hdr} first ({@link #vnetHeader()} says whether it does);
   * {@link #enableOffloads} then asks for super-packets.
   */
  public static TunDevice open(String devicePath, String name, boolean multiQueue, boolean vnetHeader) {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    if (nameBytes.length >= IFNAMSIZ || nameBytes.length == 0) {
      throw new TunException("TUN interface name \"" + name + "\" must be 1 to 15 bytes", null);
    }
    int fd;
    try {
      // O_NONBLOCK: io_uring then arms a poll instead of parking a worker thread in read(2).
      fd = LibC.open(devicePath, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new TunException(openFailure(devicePath, e.getErrorCode()), e);
    }
    try (Memory ifreq = ifreq(name)) {
      boolean vnet = vnetHeader && (features(fd) & IFF_VNET_HDR) != 0;
      short flags = (short) (IFF_TUN | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0) | (vnet ? IFF_VNET_HDR : 0));
      ifreq.setShort(IFNAMSIZ, flags);
      LibC.ioctl(fd, TUNSETIFF, ifreq);
      // The kernel writes the final name back (it matters for "%d" patterns).
      return new TunDevice(fd, ifreq.getString(0, StandardCharsets.US_ASCII.name()), vnet);
    } catch (LastErrorException e) {
      closeQuietly(fd);
      throw new TunException(attachFailure(name, e.getErrorCode()), e);
    }
  }

  /** The IFF_* flags the TUN driver supports, 0 when it cannot say (TUNGETFEATURES fails). */
  private static int features(int fd) {
    try (Memory features = new Memory(4)) {
      features.setInt(0, 0);
      LibC.ioctl(fd, TUNGETFEATURES, features);
      return features.getInt(0);
    } catch (LastErrorException e) {
      return 0;
    }
  }

  /**
   * Asks for checksum, TSO4/6 and, where the kernel has them, USO4/6 offloads (TUNSETOFFLOAD, tried
   * with USO first, then without, then checksum only); returns the TUN_F_* flags granted (0: none,
   * reads stay single packets behind an empty header). Only on a device opened with a vnet header.
   */
  public int enableOffloads() {
    if (!vnetHeader) {
      return 0;
    }
    int[] attempts = {TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
        TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM};
    for (int wanted : attempts) {
      try {
        // TUNSETOFFLOAD takes the flags by value (an unsigned long argument), not by pointer.
        LibC.ioctl(fd, TUNSETOFFLOAD, new com.sun.jna.Pointer(wanted));
        offloads = wanted;
        return wanted;
      } catch (LastErrorException e) {
        // EINVAL: a flag this kernel does not know (USO before 6.2); try fewer.
      }
    }
    return 0;
  }

  /** Whether reads and writes carry a virtio-net header (IFF_VNET_HDR). */
  public boolean vnetHeader() {
    return vnetHeader;
  }

  /** The TUN_F_* offloads granted by {@link #enableOffloads} (0 if none or not asked). */
  public int offloads() {
    return offloads;
  }

  /** The granted offloads as names, e.g. {@code [csum, tso4, tso6, uso4, uso6]}. */
  public static java.util.List<String> offloadNames(int flags) {
    java.util.List<String> names = new java.util.ArrayList<>();
    String[] known = {"csum", "tso4", "tso6", null, null, "uso4", "uso6"};
    for (int bit = 0; bit < known.length; bit++) {
      if (known[bit] != null && (flags & (1 << bit)) != 0) {
        names.add(known[bit]);
      }
    }
    return names;
  }

  /** The fd to read and write packets on (non-blocking). */
  public int fd() {
    return fd;
  }

  /** The interface name the kernel gave. */
  public String name() {
    return name;
  }

  /** Sets the interface MTU in bytes (SIOCSIFMTU). */
  public TunDevice mtu(int mtu) {
    try (Memory ifreq = ifreq(name)) {
      ifreq.setInt(IFNAMSIZ, mtu);
      ioctlOnSocket(LibC.AF_INET, SIOCSIFMTU, ifreq, "set MTU " + mtu);
    }
    return this;
  }

  /**
   * Adds an address in CIDR form ({@code 10.77.0.1/24} or {@code fd00::1/64}). One IPv4 address
   * per interface (SIOCSIFADDR replaces the primary one); any number of IPv6 addresses.
   */
  public TunDevice address(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new TunException("address \"" + cidr + "\" needs a /prefix", null);
    }
    InetAddress address;
    int prefix;
    try {
      address = InetAddress.getByName(cidr.substring(0, slash));
      prefix = Integer.parseInt(cidr.substring(slash + 1));
    } catch (UnknownHostException | NumberFormatException e) {
      throw new TunException("address \"" + cidr + "\" is not an IP address/prefix", e);
    }
    if (address instanceof Inet4Address && prefix >= 0 && prefix <= 32) {
      setIpv4(address.getAddress(), prefix, cidr);
    } else if (address instanceof Inet6Address && prefix >= 0 && prefix <= 128) {
      addIpv6(address.getAddress(), prefix, cidr);
    } else {
      throw new TunException("address \"" + cidr + "\": prefix out of range", null);
    }
    return this;
  }

  /** Sets IFF_UP (SIOCGIFFLAGS then SIOCSIFFLAGS). */
  public TunDevice up() {
    try (Memory ifreq = ifreq(name)) {
      ioctlOnSocket(LibC.AF_INET, SIOCGIFFLAGS, ifreq, "read flags");
      ifreq.setShort(IFNAMSIZ, (short) (ifreq.getShort(IFNAMSIZ) | IFF_UP));
      ioctlOnSocket(LibC.AF_INET, SIOCSIFFLAGS, ifreq, "set link up");
    }
    return this;
  }

  /** Closes the fd; the kernel then deletes the (non-persistent) interface. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      closeQuietly(fd);
    }
  }

  private void setIpv4(byte[] address, int prefix, String cidr) {
    if (ipv4Set) {
      throw new TunException(name + ": only one IPv4 address is supported (ioctl sets the primary;"
          + " secondaries need netlink): " + cidr, null);
    }
    int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
    byte[] netmask = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
    try (Memory ifreq = ifreq(name)) {
      putSockaddrIn(ifreq, address);
      ioctlOnSocket(LibC.AF_INET, SIOCSIFADDR, ifreq, "set address " + cidr);
      putSockaddrIn(ifreq, netmask);
      ioctlOnSocket(LibC.AF_INET, SIOCSIFNETMASK, ifreq, "set netmask of " + cidr);
    }
    ipv4Set = true;
  }

  private void addIpv6(byte[] address, int prefix, String cidr) {
    int index;
    try (Memory ifreq = ifreq(name)) {
      ioctlOnSocket(LibC.AF_INET, SIOCGIFINDEX, ifreq, "read interface index");
      index = ifreq.getInt(IFNAMSIZ);
    }
    // struct in6_ifreq { struct in6_addr addr; __u32 prefixlen; int ifindex; }
    try (Memory in6Ifreq = new Memory(24)) {
      in6Ifreq.write(0, address, 0, 16);
      in6Ifreq.setInt(16, prefix);
      in6Ifreq.setInt(20, index);
      ioctlOnSocket(LibC.AF_INET6, SIOCSIFADDR, in6Ifreq, "add address " + cidr);
    }
  }

  private void ioctlOnSocket(int family, long request, Memory argument, String what) {
    int socket;
    try {
      socket = LibC.socket(family, LibC.SOCK_DGRAM, 0);
    } catch (LastErrorException e) {
      throw new TunException(name + ": cannot " + what + ": socket(): errno " + e.getErrorCode(), e);
    }
    try {
      LibC.ioctl(socket, request, argument);
    } catch (LastErrorException e) {
      int errno = e.getErrorCode();
      String cause = errno == LibC.EPERM || errno == LibC.EACCES
          ? "permission denied: needs root or CAP_NET_ADMIN"
          : "errno " + errno;
      throw new TunException(name + ": cannot " + what + ": " + cause, e);
    } finally {
      closeQuietly(socket);
    }
  }

  private static void putSockaddrIn(Memory ifreq, byte[] address) {
    // struct sockaddr_in at ifr_addr: family (host order), port, address (network order).
    ifreq.setShort(IFNAMSIZ, (short) LibC.AF_INET);
    ifreq.setShort(IFNAMSIZ + 2, (short) 0);
    ifreq.write(IFNAMSIZ + 4, address, 0, 4);
  }

  private static Memory ifreq(String name) {
    Memory ifreq = new Memory(IFREQ_SIZE);
    ifreq.clear();
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    ifreq.write(0, bytes, 0, bytes.length);
    return ifreq;
  }

  static String openFailure(String path, int errno) {
    return switch (errno) {
      case LibC.ENOENT -> "cannot open " + path + ": it does not exist (load the tun kernel module:"
          + " modprobe tun; in a container, pass the device through)";
      case LibC.ENODEV -> "cannot open " + path + ": the tun driver is missing from this kernel";
      case LibC.EACCES, LibC.EPERM -> "cannot open " + path
          + ": permission denied (needs root or CAP_NET_ADMIN and access to the device)";
      default -> "cannot open " + path + ": errno " + errno;
    };
  }

  static String attachFailure(String name, int errno) {
    return switch (errno) {
      case LibC.EPERM, LibC.EACCES -> "cannot create TUN interface " + name
          + ": permission denied (needs root or CAP_NET_ADMIN)";
      case LibC.EBUSY -> "cannot create TUN interface " + name
          + ": it exists and is busy (in use, or opened with other flags/multi-queue setting)";
      case LibC.EINVAL -> "cannot create TUN interface " + name
          + ": invalid name or flags (an existing non-TUN interface of that name?)";
      default -> "cannot create TUN interface " + name + ": errno " + errno;
    };
  }

  private static void closeQuietly(int fd) {
    try {
      LibC.close(fd);
    } catch (LastErrorException ignored) {
      // Nothing to do: the fd is gone either way (close(2) releases it even on EINTR on Linux).
    }
  }
}
