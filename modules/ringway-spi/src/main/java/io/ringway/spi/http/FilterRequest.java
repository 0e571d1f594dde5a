package io.ringway.spi.http;

/**
 * The request head a filter sees: a view, so one filter serves every data path of the router (HTTP/1, h2).
 * Header names are case-insensitive.
 */
public interface FilterRequest {

  String method();

  /** The path, without the query. */
  String path();

  /** The first value of header {@code name}, or null. */
  String header(String name);

  /** The client's IP address as the router saw it (the PROXY protocol's source when the listener reads one). */
  String clientAddress();

  /** The route that matched. */
  String route();

  /** Replaces header {@code name} on the request sent upstream (claims, trace context). */
  void setHeader(String name, String value);

  /** Removes header {@code name} from the request sent upstream. */
  void removeHeader(String name);
}
