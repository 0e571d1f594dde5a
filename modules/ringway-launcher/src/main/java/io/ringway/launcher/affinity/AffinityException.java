package io.ringway.launcher.affinity;

/** An event loop could not be pinned where config asked; the message says which loop, which CPU and why. */
public final class AffinityException extends RuntimeException {

  AffinityException(String message) {
    super(message, null, false, false);
  }
}
