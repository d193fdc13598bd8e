//! Where results go: human tables on stdout, or exactly one JSON document.

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use coupon::{Error, PartnerRef, PhoneNumber, Pin};
use serde::Serialize;
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::format;

/// The output mode chosen on the command line.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    json: bool,
    reveal: bool,
}

impl Output {
    /// The mode: JSON or human, PINs and phone numbers revealed or masked.
    pub fn new(json: bool, reveal: bool) -> Self {
        Self { json, reveal }
    }

    /// Whether stdout carries one JSON document.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Whether progress may be drawn: a terminal on stderr and no `--json`.
    pub fn shows_progress(&self) -> bool {
        !self.json && std::io::stderr().is_terminal()
    }

    /// Whether PINs and phone numbers are shown in full (`--reveal`).
    pub fn reveals(&self) -> bool {
        self.reveal
    }

    /// A PIN as this run may show it.
    pub fn pin(&self, pin: &Pin) -> String {
        format::pin(pin, self.reveal)
    }

    /// A phone number as this run may show it.
    pub fn phone(&self, phone: &PhoneNumber) -> String {
        format::phone(phone, self.reveal)
    }

    /// A phone number held as text (a journal row, a vendor's answer) as this run may
    /// show it: one that parses as [`Output::phone`] shows it; any other as written
    /// with `--reveal`, else masked by the core's rule for text.
    pub fn phone_text(&self, text: &str) -> String {
        match PhoneNumber::parse(text) {
            Ok(p) => self.phone(&p),
            Err(_) if self.reveal => text.to_owned(),
            Err(_) => coupon::phone::mask_text(text),
        }
    }

    /// Prints a result: the JSON document, or the human rendering.
    pub fn emit(&self, doc: &Value, human: impl FnOnce() -> String) {
        if self.json {
            line(&doc.to_string());
        } else {
            line(&human());
        }
    }

    /// A remark for the operator on stderr (human mode only: with `--json` the document says it).
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.json {
            eprintln!("{}", message.as_ref());
        }
    }

    /// Says, before a money-moving call is sent, the reference that traces it, so a
    /// crash or a lost answer can still be settled by it. Human mode: the line
    /// `{vendor} {operation}: {label} {ref}` on stderr. With `--json`: one JSON line on
    /// stderr (`{"operation","partner_ref","vendor"}`), so stdout keeps its one document.
    pub fn before_sending(&self, vendor: &str, operation: &str, label: &str, partner_ref: &PartnerRef) {
        if self.json {
            eprintln!("{}", announcement(vendor, operation, partner_ref));
        } else {
            eprintln!("{vendor} {operation}: {label} {partner_ref}");
        }
    }

    /// A warning for the operator on stderr (human mode only: with `--json` the document says it).
    pub fn warn(&self, message: impl AsRef<str>) {
        self.note(format!("warning: {}", message.as_ref()));
    }

    /// Prints a failure: JSON on stdout with `--json` (so the one document is still there), else on stderr.
    pub fn error(&self, f: &Failure) {
        if self.json {
            line(&failure_json(f).to_string());
            return;
        }
        eprintln!("coupon: {}", f.error);
        if let Some(hint) = &f.hint {
            eprintln!("hint: {hint}");
        }
        for command in &f.reconcile {
            eprintln!("  {command}");
        }
    }
}

/// Writes one line on stdout. A reader that went away (`coupon … | head`) is not an
/// error worth a panic: what it did not read, it did not want.
pub fn line(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// The line that announces a money-moving call's reference with `--json`.
pub fn announcement(vendor: &str, operation: &str, partner_ref: &PartnerRef) -> Value {
    json!({"partner_ref": partner_ref.as_str(), "vendor": vendor, "operation": operation})
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
        "http_status": e.http_status(),
        "retryable": e.is_retryable(),
        "partner_ref": e.partner_ref().map(|r| r.as_str()),
    }})
}

/// The error document with the failure's hint and reconcile commands.
pub fn failure_json(f: &Failure) -> Value {
    let mut doc = error_json(&f.error);
    doc["error"]["hint"] = json!(f.hint);
    doc["error"]["reconcile"] = json!(f.reconcile);
    doc
}

/// A library value's document, as its `Serialize` impl writes it, with the vendor that
/// answered it beside its fields.
pub fn vendor_doc(vendor: &str, value: &impl Serialize) -> Value {
    let mut doc = json!(value);
    doc["vendor"] = json!(vendor);
    doc
}

/// Adds `fields`' keys to the document `doc` (both JSON objects).
pub fn extend(doc: &mut Value, fields: Value) {
    if let (Some(doc), Value::Object(fields)) = (doc.as_object_mut(), fields) {
        doc.extend(fields);
    }
}

/// A table with our house style; columns widen by display width, so Hangul aligns.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.to_vec());
    t
}

/// A two-column table of names and values.
pub fn fields(rows: &[(&str, String)]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    for (name, value) in rows {
        t.add_row(vec![name.to_string(), value.clone()]);
    }
    t
}

#[cfg(test)]
mod tests {
    use coupon::{ErrorKind, PartnerRef, Vendor, VendorCode};

    use super::*;

    #[test]
    fn phone_text_is_masked_unless_revealed_whether_or_not_it_parses() {
        let (masked, revealed) = (Output::new(false, false), Output::new(false, true));
        assert_eq!(masked.phone_text("01012345678"), "010-****-5678");
        assert_eq!(revealed.phone_text("01012345678"), "010-1234-5678");
        assert_eq!(masked.phone_text("010-12345"), "***-*****", "no digit of a number that does not parse");
        assert_eq!(revealed.phone_text("010-12345"), "010-12345");
    }

    #[test]
    fn the_error_document_has_the_fixed_names_and_the_hint() {
        let e = Error::new(ErrorKind::OutcomeUnknown, "the answer was lost")
            .with_vendor(Vendor::new("giftimbiz"))
            .with_vendor_code(VendorCode::new("X1"))
            .with_partner_ref(PartnerRef::new("CP1"));
        let f = Failure::from(e).hint("reconcile first").reconcile(vec!["coupon giftimbiz reconcile".into()]);
        let doc = failure_json(&f);
        let inner = &doc["error"];
        for key in ["kind", "vendor", "vendor_code", "message", "retryable", "partner_ref"] {
            assert!(inner.get(key).is_some(), "{key} in {doc}");
        }
        assert_eq!(inner["kind"], "outcome_unknown");
        assert_eq!(inner["partner_ref"], "CP1");
        assert_eq!(inner["retryable"], false);
        assert_eq!(inner["hint"], "reconcile first");
        assert_eq!(inner["reconcile"][0], "coupon giftimbiz reconcile");
    }

    #[test]
    fn the_announcement_is_one_line_of_json() {
        let line = announcement("acme", "issue", &PartnerRef::new("CP1")).to_string();
        assert!(!line.contains('\n'));
        let doc: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(doc, json!({"partner_ref": "CP1", "vendor": "acme", "operation": "issue"}));
    }

    #[test]
    fn masking_follows_reveal() {
        let pin = Pin::new("405868134802");
        assert_eq!(Output::new(false, false).pin(&pin), "********4802");
        assert_eq!(Output::new(false, true).pin(&pin), "405868134802");
        let phone = PhoneNumber::parse("01012345678").unwrap();
        assert_eq!(Output::new(true, false).phone(&phone), "010-****-5678");
        assert_eq!(Output::new(true, true).phone(&phone), "010-1234-5678");
    }
}
