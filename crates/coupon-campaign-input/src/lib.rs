//! `coupon-campaign-input`: the input of a campaign (bulk coupon issuance),
//! read from a CSV file and validated row by row, streaming.
//!
//! - The file has a header; `phone` is required; `name`, `goods`,
//!   `product_name`, `callback`, `title`, `content_template`, `amount`, `memo`
//!   override, where present and non-empty in a row, the campaign-wide
//!   [`Defaults`]; `key` is the caller's own unique row id; any other column is
//!   carried along in order ([`InputRow::extra`]) and usable in templates.
//! - Templates: `{name}` and `{column}` in `title` and `content_template` are
//!   replaced by the row's values; `{{` and `}}` are braces.
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
//! ```
//! use coupon_campaign_input::{Defaults, Options, Reader, validate_all};
//! let csv = "phone,name,store\n010-1234-5678,홍길동,강남점\n";
//! let options = Options {
//!     defaults: Defaults {
//!         goods: Some("G100".into()),
//!         title: Some("{name}님께 선물".into()),
//!         content_template: Some("{store}에서 쓰세요".into()),
//!         ..Defaults::default()
//!     },
//!     ..Options::default()
//! };
//! let mut reader = Reader::new(csv.as_bytes(), options.clone()).unwrap();
//! let row = reader.rows().next().unwrap().unwrap();
//! assert_eq!(row.title.as_deref(), Some("홍길동님께 선물"));
//! assert_eq!(row.content.as_deref(), Some("강남점에서 쓰세요"));
//! assert_eq!(row.extra, vec![("store".to_string(), "강남점".to_string())]);
//! assert!(validate_all(csv.as_bytes(), &options).accepted);
//! ```

mod decode;
mod options;
mod reader;
mod report;
mod row;
mod template;

pub use decode::MAX_LINE_BYTES;
pub use options::{Defaults, Encoding, Limits, Options};
pub use reader::Reader;
pub use report::{Report, validate_all, validate_all_with};
pub use row::{InputRow, LineError};
