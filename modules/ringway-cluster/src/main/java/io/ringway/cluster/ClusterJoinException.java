package io.ringway.cluster;

/** This node could not join its cluster; the message is worded for the user and names the setting to check. */
public final class ClusterJoinException extends RuntimeException {

  ClusterJoinException(String message, Throwable cause) {
    super(message, cause);
  }
}
