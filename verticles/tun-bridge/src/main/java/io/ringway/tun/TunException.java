package io.ringway.tun;

/** A TUN device could not be opened or configured; the message names what is missing. */
public final class TunException extends RuntimeException {

  public TunException(String message, Throwable cause) {
    super(message, cause);
  }
}
