package io.ringway.tun.impl;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Longest-prefix match from IPv4 and IPv6 prefixes to values (peers): a binary trie per family,
 * one bit per level, so a lookup costs at most 32 or 128 steps and no allocation. Build it, then
 * read it from one event loop; a config change builds a new table and swaps the reference.
 *
 * @param <T> what a prefix maps to
 */
public final class PrefixTable<T> {

  private static final class Node<T> {
    Node<T> zero;
    Node<T> one;
    T value;
  }

  private final Node<T> ipv4 = new Node<>();
  private final Node<T> ipv6 = new Node<>();
  private int size;

  /**
   * Maps a CIDR prefix ({@code 10.0.0.0/8}, {@code fd00::/64}, {@code 10.0.0.7/32}); host bits are
   * ignored. Returns the value it replaced, or null.
   */
  public T put(String cidr, T value) {
    int slash = cidr.indexOf('/');
    byte[] address = parse(slash < 0 ? cidr : cidr.substring(0, slash), cidr);
    int bits = address.length * 8;
    int length;
    try {
      length = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("prefix \"" + cidr + "\": bad length");
    }
    if (length < 0 || length > bits) {
      throw new IllegalArgumentException("prefix \"" + cidr + "\": length must be 0 to " + bits);
    }
    Node<T> node = address.length == 4 ? ipv4 : ipv6;
    for (int bit = 0; bit < length; bit++) {
      if (bitAt(address, bit)) {
        node = node.one == null ? (node.one = new Node<>()) : node.one;
      } else {
        node = node.zero == null ? (node.zero = new Node<>()) : node.zero;
      }
    }
    T previous = node.value;
    node.value = value;
    if (previous == null) {
      size++;
    }
    return previous;
  }

  /** The value of the longest prefix containing {@code address} (4 or 16 bytes), or null. */
  public T lookup(byte[] address) {
    return lookup(address, 0, address.length);
  }

  /** As {@link #lookup(byte[])} for an address inside a packet: {@code length} is 4 or 16. */
  public T lookup(byte[] bytes, int offset, int length) {
    Node<T> node = length == 4 ? ipv4 : ipv6;
    T best = node.value;
    for (int bit = 0; bit < length * 8 && node != null; bit++) {
      node = (bytes[offset + (bit >>> 3)] & (0x80 >>> (bit & 7))) != 0 ? node.one : node.zero;
      if (node != null && node.value != null) {
        best = node.value;
      }
    }
    return best;
  }

  /** Number of prefixes mapped. */
  public int size() {
    return size;
  }

  private static boolean bitAt(byte[] address, int bit) {
    return (address[bit >>> 3] & (0x80 >>> (bit & 7))) != 0;
  }

  private static byte[] parse(String literal, String cidr) {
    // Only literal characters: anything else would make InetAddress resolve a name over DNS.
    if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      throw new IllegalArgumentException("prefix \"" + cidr + "\": not an IP address");
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("prefix \"" + cidr + "\": not an IP address");
    }
  }
}
