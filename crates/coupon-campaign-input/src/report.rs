//! One pass over a whole file: which rows pass, which lines do not.

use std::io::Read;

use crate::{InputRow, LineError, Options, Reader};

/// The outcome of [`validate_all`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Rows that passed every check.
    pub rows_ok: u64,
    /// Rows refused.
    pub rows_invalid: u64,
    /// The errors, in line order, up to [`Options::max_listed_errors`]; a
    /// fatal error is always listed (last).
    pub errors: Vec<LineError>,
    /// How many errors there were in all, listed or not.
    pub errors_total: u64,
    /// The error that stopped the reading, if one did; the rest of the file was not read.
    pub fatal: Option<LineError>,
    /// Whether the campaign may go ahead: no fatal error, and no bad row
    /// unless [`Options::skip_invalid`] (the bad rows are then left out).
    pub accepted: bool,
}

/// Reads and checks the whole file in one pass, streaming, collecting every bad line.
pub fn validate_all<R: Read>(input: R, options: &Options) -> Report {
    validate_all_with(input, options, |_| {})
}

/// As [`validate_all`], handing each valid row to `on_row` as it is read (to
/// journal it in the same pass). Whether the rows handed over may be used is
/// [`Report::accepted`](crate::Report::accepted), known at the end.
pub fn validate_all_with<R: Read>(input: R, options: &Options, mut on_row: impl FnMut(InputRow)) -> Report {
    let mut report =
        Report { rows_ok: 0, rows_invalid: 0, errors: Vec::new(), errors_total: 0, fatal: None, accepted: false };
    let mut reader = match Reader::new(input, options.clone()) {
        Ok(r) => r,
        Err(e) => {
            report.errors_total = 1;
            report.errors.push(e.clone());
            report.fatal = Some(e);
            return report;
        }
    };
    for row in reader.rows() {
        match row {
            Ok(row) => {
                report.rows_ok += 1;
                on_row(row);
            }
            Err(e) => {
                report.errors_total += 1;
                if e.fatal {
                    report.errors.push(e.clone());
                    report.fatal = Some(e);
                } else {
                    report.rows_invalid += 1;
                    if report.errors.len() < options.max_listed_errors {
                        report.errors.push(e);
                    }
                }
            }
        }
    }
    report.accepted = report.fatal.is_none() && (options.skip_invalid || report.rows_invalid == 0);
    report
}
