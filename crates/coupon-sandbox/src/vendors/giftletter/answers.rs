//! The answers, written as the vendor's examples are: JSON text laid out like the
//! document, integers as strings (`"PRICE": "10000"`), stray spaces in some keys
//! (`"IMG_URL "`, `"reserved "`), and the daily report as EUC-KR text.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use encoding_rs::EUC_KR;

/// A JSON object with its members in the document's order, values as text.
#[derive(Debug, Default)]
pub(crate) struct Obj {
    members: Vec<(&'static str, String)>,
}

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A string member; the key is written exactly as given, stray spaces included.
    pub(crate) fn s(mut self, key: &'static str, value: &str) -> Self {
        self.members.push((key, quote(value)));
        self
    }

    fn render(&self, indent: &str) -> String {
        let inner = format!("{indent}  ");
        let body: Vec<String> = self.members.iter().map(|(k, v)| format!("{inner}{}: {v}", quote(k))).collect();
        format!("{{\n{}\n{indent}}}", body.join(",\n"))
    }
}

fn quote(s: &str) -> String {
    // Serializing a &str cannot fail.
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

fn json_response(text: String) -> Response {
    let mut r = (StatusCode::OK, text).into_response();
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    r
}

/// One object.
pub(crate) fn object(obj: &Obj) -> Response {
    json_response(obj.render(""))
}

/// A list of objects (`getGoodsInfoList`).
pub(crate) fn array(items: &[Obj]) -> Response {
    if items.is_empty() {
        return json_response("[]".to_owned());
    }
    let body: Vec<String> = items.iter().map(|o| format!("  {}", o.render("  "))).collect();
    json_response(format!("[\n{}\n]", body.join(",\n")))
}

/// `{"rstCode": …, "rstMsg": …}` followed by `extra` members.
pub(crate) fn result(code: &str, message: &str, extra: &[(&'static str, &str)]) -> Response {
    let mut obj = Obj::new().s("rstCode", code).s("rstMsg", message);
    for (k, v) in extra {
        obj = obj.s(k, v);
    }
    object(&obj)
}

/// The catalog failure object: `{"STATUS":"E"}` (or `I`, `C`).
pub(crate) fn status_only(status: &str) -> Response {
    object(&Obj::new().s("STATUS", status))
}

/// Text in EUC-KR, as the vendor's ASP page writes it.
pub(crate) fn euc_kr_text(status: StatusCode, text: &str) -> Response {
    let (bytes, _, _) = EUC_KR.encode(text);
    let mut r = (status, bytes.into_owned()).into_response();
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=euc-kr"));
    r
}

/// One line of the daily report: `pin|YYYYMMDDHHMMSS|branch`, or with the day only.
pub(crate) fn report_line(pin: &str, exchanged_at: &str, branch: &str) -> String {
    format!("{pin}|{exchanged_at}|{branch}\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_look_like_the_documents_examples() {
        let o = Obj::new().s("rstCode", "0").s("rstMsg", "").s("reserved ", "");
        assert_eq!(o.render(""), "{\n  \"rstCode\": \"0\",\n  \"rstMsg\": \"\",\n  \"reserved \": \"\"\n}");
        let parsed: serde_json::Value = serde_json::from_str(&o.render("")).unwrap();
        assert_eq!(parsed["reserved "], "");
        let o = Obj::new().s("m", "줄\"1\"\n");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&o.render("")).unwrap()["m"], "줄\"1\"\n");
    }

    #[test]
    fn report_lines_use_the_pipe_and_crlf() {
        assert_eq!(
            report_line("910587397432", "20150221151203", "광주영주"),
            "910587397432|20150221151203|광주영주\r\n"
        );
    }
}
