// ThreadSanitizer suppressions for the event store tests.
//
// Debian's librocksdb is not built with -fsanitize=thread, so TSan does not see the atomics with
// which RocksDB publishes memtable entries to concurrent readers; it only sees the plain memcpy of
// a key into the arena and a reader's memcmp of the same bytes, and reports a race. Reads
// concurrent with the single writer are RocksDB's documented contract (and the store's readers
// rely on it as much as its sequencer does), so reports with a RocksDB frame are suppressed.
// Races between the store's own threads still show: their stacks hold no RocksDB frame.
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() { return "race:librocksdb.so\n"; }
#endif
