//! The coufun adapter (filled in by its own issue).
