//! A benchmark group's two sides: the subject (ours) and its limit (the baseline),
//! over the same bytes.

/// Work measured per iteration: answers a small number taken from its result, so
/// the optimizer cannot drop the work.
pub type Work = Box<dyn Fn() -> usize>;

/// One group: ours beside the limit it is judged against.
pub struct Pair {
    /// Criterion group name (`1_giftletter_goods_list`, …).
    pub group: &'static str,
    /// What the subject does, as the ratios table says it.
    pub subject_name: &'static str,
    /// What the baseline does.
    pub baseline_name: &'static str,
    /// Bytes both sides read per iteration (criterion's `Throughput::Bytes`).
    pub bytes: u64,
    /// The goal, when the issue sets one: subject throughput at least this
    /// fraction of the baseline's.
    pub target: Option<f64>,
    /// Ours.
    pub subject: Work,
    /// The limit.
    pub baseline: Work,
    /// A further limit, shown beside the baseline for information where the
    /// baseline alone would hide what bounds the subject (the report's decode).
    pub reference: Option<Reference>,
}

/// A further limit of a group: what it does, and the work.
pub struct Reference {
    /// What it does, as the ratios table says it (criterion's function id is `reference`).
    pub name: &'static str,
    /// The work.
    pub work: Work,
}

impl Pair {
    /// Runs each side once and checks both did their work (a non-zero answer), so a
    /// broken input fails loudly instead of timing an early error.
    ///
    /// # Panics
    ///
    /// When either side (or the reference) answers zero.
    pub fn check(&self) {
        assert_ne!((self.subject)(), 0, "{}: the subject did nothing", self.group);
        assert_ne!((self.baseline)(), 0, "{}: the baseline did nothing", self.group);
        if let Some(r) = &self.reference {
            assert_ne!((r.work)(), 0, "{}: the reference did nothing", self.group);
        }
    }
}
