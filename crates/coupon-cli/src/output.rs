//! Where results go: human tables on stdout, or exactly one JSON document.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use coupon::Error;
use serde_json::{Value, json};

/// The output mode chosen on the command line.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    json: bool,
}

impl Output {
    /// The mode.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints a result: the JSON document, or the human rendering.
    pub fn emit(&self, doc: &Value, human: impl FnOnce() -> String) {
        if self.json {
            println!("{doc}");
        } else {
            println!("{}", human());
        }
    }

    /// Prints an error: JSON on stdout with `--json` (so the one document is still there), else on stderr.
    pub fn error(&self, e: &Error) {
        if self.json {
            println!("{}", error_json(e));
        } else {
            eprintln!("coupon: {e}");
        }
    }
}

/// The error document: `{"error":{"kind","vendor","vendor_code","message","retryable","partner_ref"}}`.
pub fn error_json(e: &Error) -> Value {
    json!({"error": {
        "kind": e.kind().as_str(),
        "vendor": e.vendor().map(|v| v.as_str()),
        "operation": e.operation(),
        "vendor_code": e.vendor_code().map(|c| c.raw()),
        "vendor_message": e.vendor_message(),
        "message": e.to_string(),
        "field": e.field(),
        "retryable": e.is_retryable(),
        "partner_ref": e.partner_ref().map(|r| r.as_str()),
    }})
}

/// A table with our house style; columns widen by display width, so Hangul aligns.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.to_vec());
    t
}
