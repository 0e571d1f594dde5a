package io.ringway.http.impl;

/**
 * Why the strict decoder refused a request, with the status to answer it: 400 for a request no server may
 * accept, 501 for a transfer coding Ringway does not implement, 505 for an HTTP major version other than 1.
 * Carried as the failed request's decoder result cause; no stack trace, since it is expected input.
 */
final class RefusedRequest extends RuntimeException {

  final int status;

  RefusedRequest(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }
}
