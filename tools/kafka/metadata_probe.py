#!/usr/bin/env python3
"""Asks a Kafka broker for cluster metadata, the way every client starts.

Usage: metadata_probe.py HOST PORT [NODE_ID]

Exits 0 when the broker answers a Metadata request (v1) that lists broker NODE_ID (default 1)
at HOST:PORT: only then can clients produce and consume. Exits 1 otherwise. scripts/kafka polls
this until a starting broker is ready. Plain sockets, so that no client library is needed.
"""
import socket
import struct
import sys

TIMEOUT_SECONDS = 2.0
RESPONSE_BYTES_MAX = 1 << 20
METADATA_API_KEY = 3
METADATA_API_VERSION = 1
CORRELATION_ID = 0x5A4C


def string(data, offset):
    (length,) = struct.unpack_from(">h", data, offset)
    offset += 2
    if length < 0:
        return None, offset
    return data[offset:offset + length].decode("utf-8", "replace"), offset + length


def receive(sock, count):
    chunks = b""
    while len(chunks) < count:
        chunk = sock.recv(count - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed")
        chunks += chunk
    return chunks


def brokers(host, port):
    client_id = b"metadata-probe"
    # Request header v1, then a null topic array (all topics).
    body = struct.pack(">hhih", METADATA_API_KEY, METADATA_API_VERSION, CORRELATION_ID,
                       len(client_id)) + client_id + struct.pack(">i", -1)
    with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS) as sock:
        sock.settimeout(TIMEOUT_SECONDS)
        sock.sendall(struct.pack(">i", len(body)) + body)
        (size,) = struct.unpack(">i", receive(sock, 4))
        if size < 8 or size > RESPONSE_BYTES_MAX:
            raise ValueError("bad response size %d" % size)
        data = receive(sock, size)
    (correlation_id, broker_count) = struct.unpack_from(">ii", data, 0)
    if correlation_id != CORRELATION_ID:
        raise ValueError("unexpected correlation id")
    offset = 8
    found = []
    for _ in range(broker_count):
        (node_id,) = struct.unpack_from(">i", data, offset)
        broker_host, offset = string(data, offset + 4)
        (broker_port,) = struct.unpack_from(">i", data, offset)
        _rack, offset = string(data, offset + 4)
        found.append((node_id, broker_host, broker_port))
    return found


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    node_id = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    try:
        listed = brokers(host, port)
    except (OSError, ValueError, struct.error) as error:
        print("metadata probe: %s" % error, file=sys.stderr)
        return 1
    if (node_id, host, port) in listed:
        return 0
    print("metadata probe: broker %d not listed yet (%s)" % (node_id, listed), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
