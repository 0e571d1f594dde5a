#!/usr/bin/env python3
"""Idle client connections for bench/idle-conns.sh: opens COUNT TCP connections to HOST:PORT and sends nothing, or,
with a fifth argument "request", sends one keep-alive GET on each and reads its whole answer (idle keep-alive).
With "tls" in that argument ("tls", "request+tls") each connection completes a TLS 1.3 handshake first (SNI
bench.test, the certificate not checked: a throwaway one) and speaks through it.

Sources round-robin over SOURCES addresses 127.0.0.2.. (one source address has ~28k ephemeral ports towards one
destination); IP_BIND_ADDRESS_NO_PORT lets connect() pick the port per 4-tuple. At most 1024 connects are in flight,
so the server's accept queue is not flooded. Prints "connected COUNT" when all are established, then holds them until
stdin closes (or SIGTERM), and closes them."""
import errno
import resource
import selectors
import signal
import socket
import ssl
import sys

IP_BIND_ADDRESS_NO_PORT = 24  # linux/in.h


def answered(data):
    """Whether data holds a whole 200 answer with a Content-Length body (what the three servers send)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = bytes(data[:end]).decode("latin-1").lower()
    if not head.startswith("http/1.1 200"):
        raise OSError(errno.EPROTO, "not a 200: %r" % head)
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip() == "content-length":
            length = int(value)
        if name.strip() == "connection" and "close" in value:
            raise OSError(errno.EPROTO, "the server closes after the request: %r" % head)
    return len(data) >= end + 4 + length


def main():
    host, port, count, sources = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    flags = sys.argv[5].split("+") if len(sys.argv) > 5 else []
    request = "request" in flags
    tls = None
    if "tls" in flags:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
        tls.minimum_version = ssl.TLSVersion.TLSv1_3
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, count + 64), max(hard, count + 64)))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sel = selectors.DefaultSelector()
    held, started, pending = [], 0, 0
    while len(held) < count:
        while started < count and pending < 1024:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            s.bind(("127.0.0.%d" % (2 + started % sources), 0))
            s.setblocking(False)
            err = s.connect_ex((host, port))
            if err not in (0, errno.EINPROGRESS):
                raise OSError(err, "connect #%d: %s" % (started, errno.errorcode.get(err, err)))
            sel.register(s, selectors.EVENT_WRITE)
            started += 1
            pending += 1
        for key, _ in sel.select(timeout=10):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            if isinstance(key.data, bytearray):
                # Reading the answer to the keep-alive GET: counted once its head and body are in.
                try:
                    chunk = s.recv(65536)
                except ssl.SSLWantReadError:
                    chunk = None
                if chunk == b"":
                    raise OSError(errno.ECONNRESET, "closed before its answer: %r" % bytes(key.data))
                if chunk:
                    key.data.extend(chunk)
                if not answered(key.data):
                    sel.register(s, selectors.EVENT_READ, key.data)
                    pending += 1
                    continue
                held.append(s)
                continue
            if key.data is None:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise OSError(err, "connect: %s" % errno.errorcode.get(err, err))
                if tls is not None:
                    s = tls.wrap_socket(s, server_hostname="bench.test", do_handshake_on_connect=False)
            if tls is not None:
                try:
                    s.do_handshake()
                except ssl.SSLWantReadError:
                    sel.register(s, selectors.EVENT_READ, "handshake")
                    pending += 1
                    continue
                except ssl.SSLWantWriteError:
                    sel.register(s, selectors.EVENT_WRITE, "handshake")
                    pending += 1
                    continue
            if request:
                s.send(b"GET / HTTP/1.1\r\nHost: idle\r\n\r\n")
                sel.register(s, selectors.EVENT_READ, bytearray())
                pending += 1
                continue
            held.append(s)
    print("connected %d" % len(held), flush=True)
    try:
        sys.stdin.read()
    finally:
        for s in held:
            s.close()


if __name__ == "__main__":
    main()
