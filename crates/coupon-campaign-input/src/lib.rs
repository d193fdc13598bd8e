//! `coupon-campaign-input`: the input of a campaign (bulk coupon issuance),
//! read from a CSV file and validated row by row, streaming.
//!
//! - The file has a header; `phone` is required; `name`; each request field's
//!   column ([`RequestFields::FIELDS`]: `goods`, the product name, the reply number,
//!   the title, the message body, …) overrides, where present and non-empty in a
//!   row, the campaign-wide default ([`Options::defaults`]); `key` is the caller's
//!   own unique row id; any other column is carried along in order
//!   ([`InputRow::extra`]) and usable in templates.
//! - Templates: `{name}` and `{column}` in the template fields (the title and the
//!   body) are replaced by the row's values; `{{` and `}}` are braces.
//! - Encodings: UTF-8 with or without BOM, and CP949/EUC-KR, detected from the
//!   first non-ASCII line or forced ([`Encoding`]); a file mixing them is refused.
//! - Streaming: [`Reader::rows`] decodes and parses one record at a time;
//!   [`validate_all`] checks a whole file in one pass into a [`Report`].
//!
//! Line breaks may be LF or CRLF (a CRLF is read as LF, inside quoted cells too).
//!
//! Every error names the line (from 1, the header being line 1), the column,
//! the limit and what was given, and never the full phone number.
//!
//! [`RequestFields`] is the one type of a campaign's request fields: a campaign's
//! defaults, a row's checked values, and what the journal stores.
//!
//! ```
//! use coupon_campaign_input::{Options, Reader, RequestFields, validate_all};
//! let csv = "phone,name,store\n010-1234-5678,홍길동,강남점\n";
//! let options = Options {
//!     defaults: RequestFields {
//!         product_id: Some("G100".into()),
//!         title: Some("{name}님께 선물".into()),
//!         content_template: Some("{store}에서 쓰세요".into()),
//!         ..RequestFields::default()
//!     },
//!     ..Options::default()
//! };
//! let mut reader = Reader::new(csv.as_bytes(), options.clone()).unwrap();
//! let row = reader.rows().next().unwrap().unwrap();
//! assert_eq!(row.request.title.as_deref(), Some("홍길동님께 선물"));
//! assert_eq!(row.request.content_template.as_deref(), Some("강남점에서 쓰세요"));
//! assert_eq!(row.extra, vec![("store".to_string(), "강남점".to_string())]);
//! assert!(validate_all(csv.as_bytes(), &options).accepted);
//! ```

mod decode;
mod fields;
mod options;
mod reader;
mod report;
mod request;
mod row;
mod template;

pub use decode::MAX_LINE_BYTES;
pub use fields::{Field, Kind, RequestFields};
pub use options::{Encoding, Limits, Options};
pub use reader::Reader;
pub use report::{Report, validate_all, validate_all_with};
pub use request::parse_won;
pub use row::{InputRow, LineError};
