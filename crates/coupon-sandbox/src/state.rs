//! State shared by every connection: the emulators, the fault queue and the request
//! counters.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::aging::{AgeReport, AgeRequest};
use crate::emulator::{Emulator, RedeemRequest};
use crate::error::AdminError;
use crate::faults::{FaultKind, FaultQueue, FaultSpec};
use crate::records::CouponRecord;
use crate::samples::Samples;

/// Request counts per path: body of `GET /_sandbox/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests received per path (no query string), admin API excluded, since the last
    /// reset. Requests hit by a fault count too.
    pub requests: BTreeMap<String, u64>,
}

impl Stats {
    /// Requests received on exactly this path; 0 when none.
    pub fn count(&self, path: &str) -> u64 {
        self.requests.get(path).copied().unwrap_or(0)
    }
}

/// The state of a running sandbox, shared by all connections. Reach it in-process with
/// [`RunningSandbox::state`](crate::RunningSandbox::state); everything here is also
/// available over HTTP through the admin API.
pub struct SandboxState {
    emulators: Vec<Arc<dyn Emulator>>,
    faults: Mutex<FaultQueue>,
    requests: Mutex<BTreeMap<String, u64>>,
}

impl std::fmt::Debug for SandboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.emulators.iter().map(|e| e.name()).collect();
        f.debug_struct("SandboxState").field("emulators", &names).finish_non_exhaustive()
    }
}

/// Locks `mutex`, taking the data of a poisoned lock as it is.
///
/// For the sandbox's own state (each critical section a single map or vector operation)
/// and every emulator's store: every critical section leaves the data consistent before
/// anything in it can panic, so a poisoned lock is still good to use, and serving on
/// beats failing every later request. A new caller must keep its critical sections so.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SandboxState {
    pub(crate) fn new(emulators: Vec<Arc<dyn Emulator>>) -> Self {
        Self { emulators, faults: Mutex::default(), requests: Mutex::default() }
    }

    /// The emulators, in route order.
    pub fn emulators(&self) -> &[Arc<dyn Emulator>] {
        &self.emulators
    }

    /// The emulator serving under `/{name}`.
    pub fn emulator(&self, name: &str) -> Option<&Arc<dyn Emulator>> {
        self.emulators.iter().find(|e| e.name() == name)
    }

    /// Every emulator's fixture catalog, keyed by name.
    pub fn fixtures(&self) -> serde_json::Value {
        let map = self.emulators.iter().map(|e| (e.name().to_owned(), e.fixtures())).collect();
        serde_json::Value::Object(map)
    }

    /// Every emulator's [`samples`](Emulator::samples), keyed by name.
    pub fn samples(&self) -> BTreeMap<String, Samples> {
        self.emulators.iter().map(|e| (e.name().to_owned(), e.samples())).collect()
    }

    /// Resets every emulator, clears the fault queue and the request counters.
    pub fn reset(&self) {
        lock(&self.faults).clear();
        lock(&self.requests).clear();
        for emulator in &self.emulators {
            emulator.reset();
        }
    }

    /// Redeems a coupon with the emulator `req.vendor`.
    ///
    /// # Errors
    ///
    /// [`AdminError::NotFound`] for an unknown vendor, [`AdminError::BadRequest`] for a
    /// malformed `at`, otherwise whatever the emulator answers.
    pub fn redeem(&self, req: &RedeemRequest) -> Result<serde_json::Value, AdminError> {
        let emulator = self.known(&req.vendor)?;
        // Checked here so every emulator can rely on a well-formed time.
        req.at_kst()?;
        emulator.redeem(req)
    }

    /// Ages the coupons of the emulator `req.vendor`.
    ///
    /// # Errors
    ///
    /// [`AdminError::NotFound`] for an unknown vendor, otherwise whatever the emulator
    /// answers ([`Emulator::age`]).
    pub fn age(&self, req: &AgeRequest) -> Result<AgeReport, AdminError> {
        self.known(&req.vendor)?.age(req)
    }

    /// Every coupon the emulator `vendor` issued, oldest first.
    ///
    /// # Errors
    ///
    /// [`AdminError::NotFound`] for an unknown vendor or one that keeps no records.
    pub fn records(&self, vendor: &str) -> Result<Vec<CouponRecord>, AdminError> {
        self.known(vendor)?
            .records()
            .ok_or_else(|| AdminError::NotFound(format!("{vendor} issues no coupons: it keeps no records")))
    }

    /// The emulator `name`, or a 404 naming the known ones.
    fn known(&self, name: &str) -> Result<&Arc<dyn Emulator>, AdminError> {
        self.emulator(name).ok_or_else(|| {
            let known: Vec<_> = self.emulators.iter().map(|e| e.name()).collect();
            AdminError::NotFound(format!("unknown vendor {name:?} (known: {})", known.join(", ")))
        })
    }

    /// Queues a fault after the ones already pending.
    ///
    /// # Errors
    ///
    /// [`AdminError::BadRequest`] when [`FaultSpec::validate`] refuses it.
    pub fn inject(&self, spec: FaultSpec) -> Result<(), AdminError> {
        spec.validate()?;
        lock(&self.faults).push(spec);
        Ok(())
    }

    /// The faults not yet used up, oldest first, each with its remaining count.
    pub fn pending_faults(&self) -> Vec<FaultSpec> {
        lock(&self.faults).pending()
    }

    /// Drops every pending fault.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Request counts per path since the last reset.
    pub fn stats(&self) -> Stats {
        Stats { requests: lock(&self.requests).clone() }
    }

    /// Requests received on exactly this path since the last reset.
    pub fn request_count(&self, path: &str) -> u64 {
        lock(&self.requests).get(path).copied().unwrap_or(0)
    }

    /// Counts a vendor request and takes the fault it gets, if any.
    pub(crate) fn record(&self, path: &str) -> Option<FaultKind> {
        *lock(&self.requests).entry(path.to_owned()).or_insert(0) += 1;
        lock(&self.faults).take(path)
    }
}
