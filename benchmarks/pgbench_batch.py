#!/usr/bin/env python3
"""pgbench_batch: the PostgreSQL peer of `scripts/bench http`'s POST /v1/events/batch row.

Writes two files into DIR:
  schema.sql  the table (append_bench.cc's `events` table under the name events_batch: bigserial
              position, unique id, unique (stream_id, version)) and two sequences for the ids and
              versions; run once with psql before the rounds.
  batch.sql   a pgbench script of one transaction: one multi-row INSERT of ROWS (1000) rows, sent
              with pgbench's simple protocol (-M simple), so every transaction ships and parses
              all of its rows as ledgerd receives and decodes every event of a batch. Each row
              has a new id ('b-' || nextval) and a new version (nextval) on one of 16 streams of
              the pgbench client ('member-<client_id>.<k>'), so the unique constraints are
              checked as in append_bench, and a payload of 300 printable bytes (pseudo-random
              from a fixed seed, one of ROWS distinct payloads; append_bench's default size; a
              ledgerd batch carries about 330 bytes of JSON per event).
scripts/bench runs batch.sql with pgbench -c 64 -j 2 -M simple against a server with fsync=on
and synchronous_commit=on, so each transaction commits with one WAL flush (group-committed with
the other clients'), the peer of one durable batch.

Usage: pgbench_batch.py DIR [ROWS]
"""
import os
import random
import sys

PAYLOAD_BYTES = 300
STREAMS_PER_CLIENT = 16
SEED = 0x5A4841495949
# Printable ASCII without the quote, the backslash (bytea escapes) and the colon (pgbench reads
# ":name" as a variable even inside literals).
ALPHABET = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "'\\:")

SCHEMA = """SET client_min_messages = warning;
DROP TABLE IF EXISTS events_batch;
DROP SEQUENCE IF EXISTS events_batch_ids;
DROP SEQUENCE IF EXISTS events_batch_versions;
CREATE SEQUENCE events_batch_ids;
CREATE SEQUENCE events_batch_versions;
CREATE TABLE events_batch (
  position bigserial PRIMARY KEY,
  stream_id text NOT NULL,
  version bigint NOT NULL,
  id text NOT NULL UNIQUE,
  type text NOT NULL,
  occurred_at bigint NOT NULL,
  payload bytea NOT NULL,
  UNIQUE (stream_id, version)
);
CHECKPOINT;
"""


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.rstrip().splitlines()[-1], file=sys.stderr)
        return 2
    out_dir = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) == 3 else 1000
    generator = random.Random(SEED)
    values = []
    for i in range(rows):
        payload = "".join(generator.choice(ALPHABET) for _ in range(PAYLOAD_BYTES))
        values.append(f"('member-' || :client_id || '.{i % STREAMS_PER_CLIENT}', "
                      f"nextval('events_batch_versions'), 'b-' || nextval('events_batch_ids'), "
                      f"'ServiceLogged', 29500000, '{payload}'::bytea)")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "schema.sql"), "w", encoding="ascii") as schema:
        schema.write(SCHEMA)
    with open(os.path.join(out_dir, "batch.sql"), "w", encoding="ascii") as script:
        script.write("INSERT INTO events_batch (stream_id, version, id, type, occurred_at, "
                     "payload) VALUES\n" + ",\n".join(values) + ";\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
