-- Shared by the wrk scripts of `scripts/bench http`: when wrk is done, prints one line
--   WRK_RESULT {"requests":N,"duration_us":D,"errors":E,...,"latency_us_p50":...}
-- that scripts/bench reads, so no figure is scraped from wrk's human-readable text.
-- Latencies are wrk's: from writing a request to reading its whole response, in microseconds.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,' ..
    '"errors_timeout":%d,"latency_us_mean":%.1f,"latency_us_p50":%d,"latency_us_p90":%d,' ..
    '"latency_us_p99":%d,"latency_us_max":%d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
