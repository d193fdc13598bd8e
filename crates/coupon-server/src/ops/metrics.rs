//! `/metrics` in Prometheus' text format: requests by route and status, vendor calls by vendor,
//! operation and outcome, their latency histograms, the doubts open and the calls in flight.
//!
//! Hand-written: a few counters and histograms behind one lock, which costs less than a
//! registry crate's machinery at this service's rates, and renders in a fixed order.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Histogram bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (slot, bound) in self.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *slot += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Debug, Default)]
struct Figures {
    requests: BTreeMap<(String, String, u16), u64>,
    request_seconds: BTreeMap<(String, String), Histogram>,
    vendor_calls: BTreeMap<(String, String, String), u64>,
    vendor_seconds: BTreeMap<(String, String), Histogram>,
    replays: u64,
    rate_limited: u64,
    reconciled: BTreeMap<String, u64>,
}

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics(Mutex<Figures>);

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Figures)) {
        if let Ok(mut figures) = self.0.lock() {
            f(&mut figures);
        }
    }

    /// One answered request: its route pattern (never the path with its ids), method and status.
    pub fn request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.with(|f| {
            *f.requests.entry((route.to_string(), method.to_string(), status)).or_default() += 1;
            f.request_seconds
                .entry((route.to_string(), method.to_string()))
                .or_default()
                .observe(elapsed.as_secs_f64());
        });
    }

    /// One call to a vendor: `outcome` is `ok`, or the error's kind.
    pub fn vendor_call(&self, vendor: &str, operation: &str, outcome: &str, elapsed: Duration) {
        self.with(|f| {
            *f.vendor_calls.entry((vendor.to_string(), operation.to_string(), outcome.to_string())).or_default() += 1;
            f.vendor_seconds
                .entry((vendor.to_string(), operation.to_string()))
                .or_default()
                .observe(elapsed.as_secs_f64());
        });
    }

    /// One answer replayed from an idempotency key.
    pub fn replay(&self) {
        self.with(|f| f.replays += 1);
    }

    /// One request refused by the per-key rate limit.
    pub fn rate_limited(&self) {
        self.with(|f| f.rate_limited += 1);
    }

    /// One doubt looked at by the reconciler: `issued`, `not_issued`, `still_unknown`, …
    pub fn reconciled(&self, outcome: &str) {
        self.with(|f| *f.reconciled.entry(outcome.to_string()).or_default() += 1);
    }

    /// The text exposition, with the gauges read at scrape time.
    pub fn render(&self, doubts_open: u64, in_flight: usize) -> String {
        let Ok(f) = self.0.lock() else { return String::new() };
        let mut out = String::new();
        let _ = writeln!(out, "# HELP coupon_http_requests_total Requests answered, by route, method and status.");
        let _ = writeln!(out, "# TYPE coupon_http_requests_total counter");
        for ((route, method, status), n) in &f.requests {
            let _ = writeln!(
                out,
                "coupon_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        histogram(
            &mut out,
            "coupon_http_request_duration_seconds",
            "Request latency.",
            &f.request_seconds,
            ["route", "method"],
        );
        let _ = writeln!(out, "# HELP coupon_vendor_calls_total Calls to vendors, by vendor, operation and outcome.");
        let _ = writeln!(out, "# TYPE coupon_vendor_calls_total counter");
        for ((vendor, operation, outcome), n) in &f.vendor_calls {
            let _ = writeln!(
                out,
                "coupon_vendor_calls_total{{vendor=\"{}\",operation=\"{operation}\",outcome=\"{outcome}\"}} {n}",
                escape(vendor)
            );
        }
        histogram(
            &mut out,
            "coupon_vendor_call_duration_seconds",
            "Vendor call latency.",
            &f.vendor_seconds,
            ["vendor", "operation"],
        );
        let _ = writeln!(out, "# HELP coupon_idempotent_replays_total Answers replayed from an idempotency key.");
        let _ = writeln!(out, "# TYPE coupon_idempotent_replays_total counter");
        let _ = writeln!(out, "coupon_idempotent_replays_total {}", f.replays);
        let _ = writeln!(out, "# HELP coupon_rate_limited_total Requests refused by the per-key rate limit.");
        let _ = writeln!(out, "# TYPE coupon_rate_limited_total counter");
        let _ = writeln!(out, "coupon_rate_limited_total {}", f.rate_limited);
        let _ = writeln!(out, "# HELP coupon_reconciled_total Doubts looked at by the reconciler, by what it found.");
        let _ = writeln!(out, "# TYPE coupon_reconciled_total counter");
        for (outcome, n) in &f.reconciled {
            let _ = writeln!(out, "coupon_reconciled_total{{outcome=\"{outcome}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP coupon_doubts_open Money-moving requests whose outcome is not known yet (all replicas)."
        );
        let _ = writeln!(out, "# TYPE coupon_doubts_open gauge");
        let _ = writeln!(out, "coupon_doubts_open {doubts_open}");
        let _ = writeln!(out, "# HELP coupon_calls_in_flight Money-moving calls this replica is making now.");
        let _ = writeln!(out, "# TYPE coupon_calls_in_flight gauge");
        let _ = writeln!(out, "coupon_calls_in_flight {in_flight}");
        out
    }
}

fn histogram(
    out: &mut String,
    name: &str,
    help: &str,
    series: &BTreeMap<(String, String), Histogram>,
    labels: [&str; 2],
) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} histogram");
    for ((a, b), h) in series {
        let l = format!("{}=\"{}\",{}=\"{}\"", labels[0], escape(a), labels[1], escape(b));
        for (bound, n) in BUCKETS.iter().zip(h.counts) {
            let _ = writeln!(out, "{name}_bucket{{{l},le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "{name}_bucket{{{l},le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(out, "{name}_sum{{{l}}} {}", h.sum);
        let _ = writeln!(out, "{name}_count{{{l}}} {}", h.count);
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_as_prometheus_text() {
        let m = Metrics::default();
        m.request("/v1/issues", "POST", 201, Duration::from_millis(3));
        m.request("/v1/issues", "POST", 201, Duration::from_millis(30));
        m.vendor_call("giftishow", "issue", "ok", Duration::from_millis(20));
        let text = m.render(2, 1);
        assert!(
            text.contains("coupon_http_requests_total{route=\"/v1/issues\",method=\"POST\",status=\"201\"} 2"),
            "{text}"
        );
        assert!(text.contains(
            "coupon_http_request_duration_seconds_bucket{route=\"/v1/issues\",method=\"POST\",le=\"0.005\"} 1"
        ));
        assert!(text.contains("coupon_http_request_duration_seconds_count{route=\"/v1/issues\",method=\"POST\"} 2"));
        assert!(text.contains("coupon_vendor_calls_total{vendor=\"giftishow\",operation=\"issue\",outcome=\"ok\"} 1"));
        assert!(text.contains("coupon_doubts_open 2"));
    }
}
