//! Campaign input files written to temporary directories and read through the public API.

use std::cell::Cell;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::rc::Rc;

use coupon_campaign_input::{
    Encoding, InputRow, Limits, LineError, Options, Reader, RequestFields, parse_won, validate_all, validate_all_with,
};
use coupon_core::Won;
use coupon_core::encoding_rs::EUC_KR;

/// A file in a fresh temporary directory (kept alive by the returned guard).
fn file(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("campaign.csv");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn cp949(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = EUC_KR.encode(text);
    assert!(!bad, "test text must fit CP949");
    bytes.into_owned()
}

fn options() -> Options {
    Options {
        defaults: RequestFields { product_id: Some("G1".into()), ..RequestFields::default() },
        ..Options::default()
    }
}

/// Every row of the file: the good ones and the errors, in order.
fn read(bytes: &[u8], options: Options) -> (Vec<InputRow>, Vec<LineError>) {
    let (_dir, path) = file(bytes);
    let mut reader = match Reader::new(File::open(&path).unwrap(), options) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for row in reader.rows() {
        match row {
            Ok(r) => ok.push(r),
            Err(e) => bad.push(e),
        }
    }
    (ok, bad)
}

fn report(bytes: &[u8], options: &Options) -> coupon_campaign_input::Report {
    let (_dir, path) = file(bytes);
    validate_all(File::open(&path).unwrap(), options)
}

fn column(e: &LineError) -> &str {
    e.column.as_deref().unwrap_or("")
}

#[test]
fn utf8_with_bom() {
    let (rows, errors) = read("\u{FEFF}phone,name\n010-1234-5678,홍길동\n".as_bytes(), options());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].line, rows[0].name.as_deref(), rows[0].request.product_id.as_deref()),
        (2, Some("홍길동"), Some("G1"))
    );
    assert_eq!(rows[0].phone.expose_digits(), "01012345678");
}

#[test]
fn utf8_without_bom_and_columns_in_any_case_and_order() {
    let (_dir, path) = file("Name , PHONE\n김철수,01098765432\r\n이영희,+82 10 1111 2222".as_bytes());
    let mut reader = Reader::new(File::open(&path).unwrap(), options()).unwrap();
    assert_eq!(reader.columns(), ["name", "phone"]);
    let rows: Vec<_> = reader.rows().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(rows[1].name.as_deref(), Some("이영희"));
    assert_eq!(rows[1].phone.expose_digits(), "01011112222");
}

#[test]
fn cp949_is_detected_and_decoded() {
    let text = "phone,name,store\n010-1234-5678,홍길동,강남점\n010-2222-3333,김철수,\"역삼, 2층\"\n";
    let mut o = options();
    o.defaults.title = Some("{name}님 {store}".into());
    let (rows, errors) = read(&cp949(text), o.clone());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows[0].request.title.as_deref(), Some("홍길동님 강남점"));
    assert_eq!(rows[1].extra, vec![("store".to_string(), "역삼, 2층".to_string())]);
    // Forced CP949 reads it the same.
    o.encoding = Encoding::Cp949;
    let (forced, errors) = read(&cp949(text), o);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(forced, rows);
}

#[test]
fn a_file_mixing_utf8_and_cp949_is_refused_naming_the_line() {
    // CP949 first: the UTF-8 line 4 disagrees.
    let mixed =
        [cp949("phone,name\n010-1234-5678,홍길동\n010-2222-3333,김철수\n"), "010-4444-5555,이영희\n".into()].concat();
    let r = report(&mixed, &options());
    let fatal = r.fatal.as_ref().expect("refused");
    assert_eq!(fatal.line, 4, "{fatal}");
    assert!(fatal.message.contains("mixing") && fatal.message.contains("line 2"), "{fatal}");
    assert!(!r.accepted);
    assert_eq!(r.rows_ok, 2, "the lines before it were read");
    // UTF-8 first: the CP949 line 3 disagrees.
    let mixed = ["phone,name\n010-1234-5678,홍길동\n".as_bytes().to_vec(), cp949("010-2222-3333,김철수\n")].concat();
    let r = report(&mixed, &Options { skip_invalid: true, ..options() });
    let fatal = r.fatal.as_ref().expect("refused");
    assert_eq!(fatal.line, 3, "{fatal}");
    assert!(fatal.message.contains("not valid UTF-8") && fatal.message.contains("mixing"), "{fatal}");
    assert!(!r.accepted, "skip_invalid does not skip an encoding error");
    assert!(r.errors.contains(fatal));
}

#[test]
fn a_forced_encoding_that_does_not_fit_is_refused() {
    let utf8 = "phone,name\n010-1234-5678,John\n010-2222-3333,홍길동\n".as_bytes();
    let r = report(utf8, &Options { encoding: Encoding::Cp949, ..options() });
    let fatal = r.fatal.expect("refused");
    assert_eq!((fatal.line, fatal.fatal), (3, true), "{fatal}");
    assert!(fatal.message.contains("read as CP949 (EUC-KR) (as asked)"), "{fatal}");

    let korean_excel = cp949("phone,name\n010-1234-5678,홍길동\n");
    let r = report(&korean_excel, &Options { encoding: Encoding::Utf8, ..options() });
    let fatal = r.fatal.expect("refused");
    assert_eq!(fatal.line, 2, "{fatal}");
    assert!(fatal.message.contains("not valid UTF-8"), "{fatal}");

    let bom = "\u{FEFF}phone\n01012345678\n".as_bytes();
    let r = report(bom, &Options { encoding: Encoding::Cp949, ..options() });
    assert_eq!(r.fatal.expect("refused").line, 1);
}

#[test]
fn a_bad_phone_is_reported_with_line_and_column_and_never_in_full() {
    let (rows, errors) = read(b"name,phone\nA,010-1234-5678\nB,010-9876-543\nC,010-98X6-5432\nD,\n", options());
    assert_eq!(rows.len(), 1);
    assert_eq!(
        errors.iter().map(|e| (e.line, column(e))).collect::<Vec<_>>(),
        [(3, "phone"), (4, "phone"), (5, "phone")]
    );
    assert!(
        errors[0].message.contains("10 digits") && errors[0].message.contains("12 characters given"),
        "{}",
        errors[0]
    );
    for e in &errors {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("9876") && !shown.contains("5432") && !shown.contains("543\n"), "{shown}");
        assert!(!e.fatal);
    }
    assert!(errors[0].to_string().starts_with("line 3, column `phone`: is not a valid Korean phone number"));
    // Landlines pass unless only mobiles are wanted; that error shows the number masked.
    let (rows, _) = read(b"phone\n02-123-4567\n", options());
    assert_eq!(rows.len(), 1);
    let (_, errors) = read(b"phone\n02-123-4567\n", Options { mobile_only: true, ..options() });
    assert!(errors[0].message.contains("02-***-4567") && !errors[0].message.contains("123"), "{}", errors[0]);
}

#[test]
fn a_title_over_its_cp949_limit_names_the_limit_and_size() {
    let mut o = options();
    o.defaults.title = Some("{name}님 선물".into());
    o.limits = Limits { title: Some(12), content: Some(2000) };
    let (rows, errors) = read("phone,name\n01012345678,홍길\n01022223333,홍길동\n".as_bytes(), o);
    assert_eq!(rows[0].request.title.as_deref(), Some("홍길님 선물"), "11 bytes fit");
    assert_eq!((errors[0].line, column(&errors[0])), (3, "title"));
    let m = &errors[0].message;
    assert!(m.contains("13 bytes in CP949") && m.contains("limit is 12"), "{m}");
}

#[test]
fn an_unknown_placeholder_is_an_error_naming_it_and_the_line() {
    let mut o = options();
    o.defaults.content_template = Some("{name}님, {store}에서 쓰세요".into());
    let (rows, errors) = read("phone,name\n01012345678,홍길동\n".as_bytes(), o.clone());
    assert!(rows.is_empty());
    assert_eq!((errors[0].line, column(&errors[0])), (2, "content_template"));
    assert!(errors[0].message.contains("unknown placeholder `{store}`"), "{}", errors[0]);
    // A row's own template is checked the same; braces escape.
    let (rows, errors) = read("phone,title\n01012345678,{{쿠폰}} {x}\n01022223333,{{쿠폰}}\n".as_bytes(), options());
    assert_eq!((errors[0].line, column(&errors[0])), (2, "title"));
    assert!(errors[0].message.contains("`{x}`"), "{}", errors[0]);
    assert_eq!(rows[0].request.title.as_deref(), Some("{쿠폰}"));
}

#[test]
fn the_same_phone_with_the_same_goods_is_refused_unless_allowed() {
    let text = b"phone,goods\n010-1234-5678,G1\n+82 10 1234 5678,G2\n01012345678,G1\n";
    let (rows, errors) = read(text, options());
    assert_eq!(rows.len(), 2);
    assert_eq!((errors[0].line, column(&errors[0])), (4, "phone"));
    let m = &errors[0].message;
    assert!(m.contains("010-****-5678") && m.contains("`G1`") && m.contains("line 2"), "{m}");
    assert!(!m.contains("1234"), "{m}");
    let (rows, errors) = read(text, Options { allow_duplicate_recipients: true, ..options() });
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 3);
}

#[test]
fn a_repeated_key_is_refused_on_the_second_line_naming_the_first() {
    let (rows, errors) = read(b"key,phone\nA-1,01011111111\nA-2,01022222222\nA-1,01033333333\n", options());
    assert_eq!(rows.iter().map(|r| r.key.as_deref().unwrap()).collect::<Vec<_>>(), ["A-1", "A-2"]);
    assert_eq!((errors[0].line, column(&errors[0])), (4, "key"));
    assert!(errors[0].message.contains("line 2"), "{}", errors[0]);
}

#[test]
fn columns_override_the_campaign_defaults_row_by_row() {
    let o = Options {
        defaults: RequestFields {
            product_id: Some("G1".into()),
            product_name: Some("커피".into()),
            callback: Some("1588-1234".into()),
            title: Some("기본 제목".into()),
            content_template: Some("기본 본문".into()),
            amount: Some("1000".into()),
            memo: Some("m0".into()),
        },
        ..Options::default()
    };
    let text = "phone,name,goods,product_name,callback,title,content_template,amount,memo\n\
                01011111111,가,,,,,,,\n\
                01022222222,나,G2,케이크,02-123-4567,{name}님 선물,\"첫 줄\n둘째 줄\",\"5,000원\",m2\n";
    let (rows, errors) = read(text.as_bytes(), o);
    assert!(errors.is_empty(), "{errors:?}");
    let (a, b) = (&rows[0].request, &rows[1].request);
    let won = |r: &RequestFields| r.amount.as_deref().map(|w| parse_won("amount", w).unwrap());
    assert_eq!(
        (a.product_id.as_deref(), a.product_name.as_deref(), a.title.as_deref(), a.content_template.as_deref(), won(a)),
        (Some("G1"), Some("커피"), Some("기본 제목"), Some("기본 본문"), Some(Won(1_000)))
    );
    assert_eq!((a.callback.as_deref(), a.memo.as_deref()), (Some("15881234"), Some("m0")));
    assert_eq!(
        (b.product_id.as_deref(), b.product_name.as_deref(), b.title.as_deref(), b.content_template.as_deref(), won(b)),
        (Some("G2"), Some("케이크"), Some("나님 선물"), Some("첫 줄\n둘째 줄"), Some(Won(5_000)))
    );
    assert_eq!((b.callback.as_deref(), b.memo.as_deref()), (Some("021234567"), Some("m2")));
    let b = &rows[1];
    let req = b.issue_request().unwrap();
    assert_eq!((req.product_id.as_str(), req.message.as_deref()), ("G2", Some("첫 줄\n둘째 줄")));
    assert_eq!(req.recipient, Some(b.phone.clone()));
    // A bad amount and a missing goods are row errors naming the column.
    let (_, errors) = read(b"phone,amount\n01011111111,1.5\n", options());
    assert_eq!((errors[0].line, column(&errors[0])), (2, "amount"));
    let (_, errors) = read(b"phone\n01011111111\n", Options::default());
    assert_eq!((errors[0].line, column(&errors[0])), (2, "goods"));
}

#[test]
fn a_default_that_does_not_parse_refuses_the_rows_that_take_it_and_says_it_is_the_default() {
    let mut o = options();
    o.defaults.callback = Some("1588".into());
    o.defaults.amount = Some("1.5".into());
    let (rows, errors) = read(b"phone,callback,amount\n01011111111,02-123-4567,1000\n01022222222,,\n", o.clone());
    assert_eq!(rows.len(), 1, "the row with its own values passes");
    assert_eq!((errors[0].line, column(&errors[0])), (3, "callback"));
    assert!(
        errors[0].message.starts_with("the campaign's default is not a valid Korean phone number"),
        "{}",
        errors[0]
    );
    let (_, errors) = read(b"phone,callback\n01022222222,02-123-4567\n", o);
    assert_eq!((errors[0].line, column(&errors[0])), (2, "amount"));
    assert!(errors[0].message.starts_with("the campaign's default must be a whole number of won"), "{}", errors[0]);
}

#[test]
fn extra_columns_are_kept_in_order_and_usable_in_templates() {
    let mut o = options();
    o.defaults.title = Some("{store} {coupon_no}".into());
    let text = "store,phone,coupon no,coupon_no,name\n강남점,01011111111,x,C-7,홍길동\n";
    let (rows, errors) = read(text.as_bytes(), o);
    assert!(errors.is_empty(), "{errors:?}");
    let pairs: Vec<_> = rows[0].extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(pairs, [("store", "강남점"), ("coupon no", "x"), ("coupon_no", "C-7")]);
    assert_eq!(rows[0].request.title.as_deref(), Some("강남점 C-7"));
}

#[test]
fn control_characters_and_bad_headers_are_refused() {
    let (_, errors) = read("phone,name\n01011111111,\"a\u{7}b\"\n".as_bytes(), options());
    assert_eq!((errors[0].line, column(&errors[0])), (2, "name"));
    assert!(errors[0].message.contains("U+0007"), "{}", errors[0]);
    let mut o = options();
    o.defaults.title = Some("{name}".into());
    let (_, errors) = read("phone,name\n01011111111,\"a\nb\"\n".as_bytes(), o);
    assert_eq!((errors[0].line, column(&errors[0])), (2, "name"), "a line break in a one-line field");
    for (text, what) in
        [("name\nx\n", "no `phone` column"), ("phone,Phone\n", "twice"), ("phone,,x\n", "column 2"), ("", "empty")]
    {
        let (_, errors) = read(text.as_bytes(), options());
        assert!(errors[0].fatal && errors[0].line == 1 && errors[0].message.contains(what), "{text:?}: {}", errors[0]);
    }
    let (rows, errors) = read(b"phone,name\n01011111111\n01022222222,b\n", options());
    assert_eq!(rows.len(), 1);
    assert!(errors[0].message.contains("1 fields; the header has 2") && errors[0].line == 2, "{}", errors[0]);
}

#[test]
fn skip_invalid_lists_the_bad_rows_and_leaves_them_out() {
    let text = b"key,phone\n1,01011111111\n2,nope\n3,01033333333\n4,\n5,01055555555\n";
    let strict = report(text, &options());
    assert!(!strict.accepted, "a bad row refuses the file");
    assert_eq!((strict.rows_ok, strict.rows_invalid, strict.errors_total), (3, 2, 2));
    assert_eq!(strict.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 5]);
    assert!(strict.fatal.is_none());

    let o = Options { skip_invalid: true, ..options() };
    let (_dir, path) = file(text);
    let mut kept = Vec::new();
    let lenient = validate_all_with(File::open(&path).unwrap(), &o, |r| kept.push(r.key.unwrap()));
    assert!(lenient.accepted);
    assert_eq!(kept, ["1", "3", "5"]);
    assert_eq!(lenient.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 5]);

    let capped = report(text, &Options { max_listed_errors: 1, ..o });
    assert_eq!((capped.errors.len(), capped.errors_total), (1, 2));
}

/// Rows made on the fly: the file never exists in memory. It counts the bytes
/// pulled from it.
struct Generated {
    next: u64,
    rows: u64,
    line: Vec<u8>,
    pos: usize,
    pulled: Rc<Cell<u64>>,
}

const HEADER: &[u8] = "phone,name,goods\n".as_bytes();
/// `010dddddddd,이름dddddd,Gd\n`: 11 + 1 + 6 + 6 + 1 + 2 + 1.
const ROW_BYTES: u64 = 28;

impl Generated {
    fn new(rows: u64) -> (Self, Rc<Cell<u64>>) {
        let pulled = Rc::new(Cell::new(0));
        (Self { next: 0, rows, line: HEADER.to_vec(), pos: 0, pulled: pulled.clone() }, pulled)
    }
}

impl Read for Generated {
    /// Fills `buf` with as many rows as fit, making each when it is needed.
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            if self.pos == self.line.len() {
                if self.next == self.rows {
                    break;
                }
                let i = self.next;
                self.next += 1;
                self.line.clear();
                self.line.extend_from_slice(format!("010{i:08},이름{i:06},G{}\n", i % 7).as_bytes());
                assert_eq!(self.line.len() as u64, ROW_BYTES);
                self.pos = 0;
            }
            let k = (buf.len() - n).min(self.line.len() - self.pos);
            buf[n..n + k].copy_from_slice(&self.line[self.pos..self.pos + k]);
            self.pos += k;
            n += k;
        }
        self.pulled.set(self.pulled.get() + n as u64);
        Ok(n)
    }
}

#[test]
fn two_hundred_thousand_rows_stream_through_a_bounded_buffer() {
    const ROWS: u64 = 200_000;
    /// What the reader may hold ahead of the row it yields: the decoder's chunk,
    /// the CSV reader's buffer and one line, with room to spare.
    const BOUND: u64 = 64 * 1024;
    let (input, pulled) = Generated::new(ROWS);
    let mut reader = Reader::new(input, options()).unwrap();
    assert!(pulled.get() <= BOUND, "the header alone was read, not the file: {}", pulled.get());
    let (mut count, mut max_ahead) = (0u64, 0u64);
    for row in reader.rows() {
        let row = row.unwrap();
        count += 1;
        assert_eq!(row.line, count + 1);
        // The bytes of the file up to the end of this row's line.
        let consumed = HEADER.len() as u64 + count * ROW_BYTES;
        assert!(pulled.get() >= consumed);
        let ahead = pulled.get() - consumed;
        assert!(ahead <= BOUND, "row {count}: {ahead} bytes pulled ahead of it");
        max_ahead = max_ahead.max(ahead);
    }
    assert_eq!(count, ROWS);
    assert_eq!(pulled.get(), HEADER.len() as u64 + ROWS * ROW_BYTES, "the whole input was read once");
    assert!(max_ahead > ROW_BYTES, "the reader does buffer ahead, within its bound: {max_ahead}");

    let (input, _) = Generated::new(ROWS);
    let r = validate_all(input, &Options { max_listed_errors: 10, ..options() });
    assert!(r.accepted && r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.rows_ok, ROWS);
}
