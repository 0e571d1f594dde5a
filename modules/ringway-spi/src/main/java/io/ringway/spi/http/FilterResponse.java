package io.ringway.spi.http;

/** The response head a filter sees before the body is relayed; header names are case-insensitive. */
public interface FilterResponse {

  int status();

  /** The first value of header {@code name}, or null. */
  String header(String name);

  /** Replaces header {@code name} on the response sent downstream. */
  void setHeader(String name, String value);

  /** Removes header {@code name} from the response sent downstream. */
  void removeHeader(String name);
}
