//! The adapter between the raw file and the CSV reader: it yields UTF-8,
//! decoding one physical line at a time, and refuses a line that does not fit
//! the encoding chosen (with its line number).

use std::fmt;
use std::io::{self, Read};

use encoding_rs::{DecoderResult, EUC_KR};

use crate::Encoding;

/// The longest physical line accepted, in bytes: past it the file is refused
/// rather than buffered without bound.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// How many bytes are pulled from the input at a time.
const CHUNK: usize = 8 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why the encoding is what it is; quoted when a line disagrees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    Forced,
    Bom,
    FirstNonAscii(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chosen {
    Undecided,
    Utf8(Why),
    Cp949(Why),
}

/// A line the adapter refused; the reading stops there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DecodeFailure {
    pub line: u64,
    pub message: String,
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for DecodeFailure {}

/// A `Read` that yields the input as UTF-8.
///
/// It holds at most one chunk of raw input plus the current physical line
/// (bounded by [`MAX_LINE_BYTES`]) and that line's UTF-8.
pub(crate) struct DecodingReader<R> {
    inner: R,
    raw: Vec<u8>,
    start: usize,
    eof: bool,
    bom_pending: bool,
    out: Vec<u8>,
    out_pos: usize,
    line: u64,
    chosen: Chosen,
    failure: Option<DecodeFailure>,
}

impl<R: Read> DecodingReader<R> {
    pub(crate) fn new(inner: R, encoding: Encoding) -> Self {
        let chosen = match encoding {
            Encoding::Auto => Chosen::Undecided,
            Encoding::Utf8 => Chosen::Utf8(Why::Forced),
            Encoding::Cp949 => Chosen::Cp949(Why::Forced),
        };
        Self {
            inner,
            raw: Vec::with_capacity(CHUNK),
            start: 0,
            eof: false,
            bom_pending: true,
            out: Vec::with_capacity(CHUNK),
            out_pos: 0,
            line: 0,
            chosen,
            failure: None,
        }
    }

    /// The line that stopped the reading, if one did.
    pub(crate) fn failure(&self) -> Option<&DecodeFailure> {
        self.failure.as_ref()
    }

    fn fail(&mut self, line: u64, message: String) -> io::Error {
        let f = DecodeFailure { line, message };
        self.failure = Some(f.clone());
        io::Error::new(io::ErrorKind::InvalidData, f)
    }

    fn failure_error(&self) -> Option<io::Error> {
        self.failure.clone().map(|f| io::Error::new(io::ErrorKind::InvalidData, f))
    }

    /// Pulls one more chunk from the input; false at its end.
    fn pull(&mut self) -> io::Result<bool> {
        if self.start > 0 {
            self.raw.drain(..self.start);
            self.start = 0;
        }
        if self.raw.len() > MAX_LINE_BYTES {
            let line = self.line + 1;
            return Err(self.fail(line, format!("is longer than {MAX_LINE_BYTES} bytes")));
        }
        let old = self.raw.len();
        self.raw.resize(old + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.raw[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.raw.truncate(old);
                    return Err(e);
                }
            }
        };
        self.raw.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Decodes `raw[start..end]`, one physical line, into `out`.
    fn decode_line(&mut self, end: usize) -> io::Result<()> {
        self.line += 1;
        let n = self.line;
        let bytes = &self.raw[self.start..end];
        if bytes.is_ascii() {
            self.out.extend_from_slice(bytes);
            self.start = end;
            self.crlf_to_lf();
            return Ok(());
        }
        let utf8 = std::str::from_utf8(bytes).map_err(|e| e.valid_up_to());
        let result = match (self.chosen, utf8) {
            (Chosen::Undecided, Ok(_)) => {
                self.chosen = Chosen::Utf8(Why::FirstNonAscii(n));
                self.out.extend_from_slice(bytes);
                Ok(())
            }
            (Chosen::Undecided, Err(_)) => match decode_cp949(bytes, &mut self.out) {
                Ok(()) => {
                    self.chosen = Chosen::Cp949(Why::FirstNonAscii(n));
                    Ok(())
                }
                Err(at) => Err(format!(
                    "is neither valid UTF-8 nor valid CP949 (EUC-KR): malformed byte sequence at byte {} of the line",
                    at + 1
                )),
            },
            (Chosen::Utf8(_), Ok(_)) => {
                self.out.extend_from_slice(bytes);
                Ok(())
            }
            (Chosen::Utf8(why), Err(at)) => {
                let mut scratch = Vec::new();
                let mixed = if decode_cp949(bytes, &mut scratch).is_ok() {
                    "; it reads as CP949 (EUC-KR), and a file mixing UTF-8 and CP949 lines is refused"
                } else {
                    ""
                };
                Err(format!(
                    "is not valid UTF-8 (malformed byte sequence at byte {} of the line), but the file is read as UTF-8 ({}){mixed}",
                    at + 1,
                    why_utf8(why)
                ))
            }
            (Chosen::Cp949(why), Ok(_)) => Err(format!(
                "is UTF-8, but the file is read as CP949 (EUC-KR) ({}); a file mixing UTF-8 and CP949 lines is refused",
                why_cp949(why)
            )),
            (Chosen::Cp949(why), Err(_)) => decode_cp949(bytes, &mut self.out).map_err(|at| {
                format!(
                    "is not valid CP949 (EUC-KR) (malformed byte sequence at byte {} of the line), but the file is read as CP949 ({})",
                    at + 1,
                    why_cp949(why)
                )
            }),
        };
        match result {
            Ok(()) => {
                self.start = end;
                self.crlf_to_lf();
                Ok(())
            }
            Err(message) => Err(self.fail(n, message)),
        }
    }

    /// Ends the decoded line with LF alone: the CSV reader then counts lines
    /// right (it starts a record after a CRLF on the line before).
    fn crlf_to_lf(&mut self) {
        if self.out.ends_with(b"\r\n") {
            let l = self.out.len();
            self.out.remove(l - 2);
        }
    }

    /// Refills `out` with the next decoded line(s); false at the end of input.
    fn fill(&mut self) -> io::Result<bool> {
        loop {
            if self.bom_pending {
                if self.raw.len() - self.start < BOM.len() && !self.eof {
                    self.pull()?;
                    continue;
                }
                self.bom_pending = false;
                if self.raw[self.start..].starts_with(BOM) {
                    match self.chosen {
                        Chosen::Cp949(_) => {
                            return Err(self.fail(
                                1,
                                "starts with a UTF-8 byte order mark, but the file was to be read as CP949 (EUC-KR)"
                                    .to_string(),
                            ));
                        }
                        Chosen::Undecided => self.chosen = Chosen::Utf8(Why::Bom),
                        Chosen::Utf8(_) => {}
                    }
                    self.start += BOM.len();
                }
            }
            let pending = &self.raw[self.start..];
            if let Some(i) = pending.iter().position(|&b| b == b'\n') {
                let end = self.start + i + 1;
                self.decode_line(end)?;
                return Ok(true);
            }
            if self.eof {
                if pending.is_empty() {
                    return Ok(false);
                }
                let end = self.raw.len();
                self.decode_line(end)?;
                return Ok(true);
            }
            self.pull()?;
        }
    }
}

fn why_utf8(why: Why) -> String {
    match why {
        Why::Forced => "as asked".to_string(),
        Why::Bom => "it starts with a UTF-8 byte order mark".to_string(),
        Why::FirstNonAscii(l) => format!("line {l}, its first non-ASCII line, is UTF-8"),
    }
}

fn why_cp949(why: Why) -> String {
    match why {
        Why::Forced | Why::Bom => "as asked".to_string(),
        Why::FirstNonAscii(l) => format!("line {l}, its first non-ASCII line, is not UTF-8"),
    }
}

/// Decodes one line of CP949 strictly into `out`; on error, the 0-based
/// offset of the malformed sequence in `bytes`.
fn decode_cp949(bytes: &[u8], out: &mut Vec<u8>) -> Result<(), usize> {
    let mut decoder = EUC_KR.new_decoder_without_bom_handling();
    let old = out.len();
    let room = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3 + 16);
    out.resize(old + room, 0);
    let (result, read, written) = decoder.decode_to_utf8_without_replacement(bytes, &mut out[old..], true);
    match result {
        DecoderResult::InputEmpty => {
            out.truncate(old + written);
            Ok(())
        }
        DecoderResult::Malformed(bad, after) => {
            out.truncate(old);
            Err(read.saturating_sub(bad as usize + after as usize))
        }
        DecoderResult::OutputFull => {
            // Cannot happen: `room` is the decoder's own worst case.
            out.truncate(old);
            Err(0)
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if let Some(e) = self.failure_error() {
                return Err(e);
            }
            self.out.clear();
            self.out_pos = 0;
            if !self.fill()? {
                return Ok(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, DecodeFailure> {
        let mut r = DecodingReader::new(bytes, encoding);
        let mut s = String::new();
        match r.read_to_string(&mut s) {
            Ok(_) => Ok(s),
            Err(_) => Err(r.failure().cloned().expect("a failure")),
        }
    }

    #[test]
    fn decodes_utf8_bom_and_cp949_line_by_line() {
        assert_eq!(decode("a,가\nb".as_bytes(), Encoding::Auto).unwrap(), "a,가\nb");
        assert_eq!(decode(b"\xEF\xBB\xBFa\n", Encoding::Auto).unwrap(), "a\n");
        assert_eq!(decode(b"a\r\n\xB0\xA1\r\n", Encoding::Auto).unwrap(), "a\n가\n");
        assert_eq!(decode(b"\xB0\xA1", Encoding::Cp949).unwrap(), "가");
        assert_eq!(decode(b"", Encoding::Auto).unwrap(), "");
    }

    #[test]
    fn refuses_mixed_and_misfit_lines_naming_them() {
        let mixed = [b"h\n\xB0\xA1\n".as_slice(), "x\n가\n".as_bytes()].concat();
        let e = decode(&mixed, Encoding::Auto).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("mixing"), "{e}");
        let e = decode(b"\xEF\xBB\xBFh\n\xB0\xA1\n", Encoding::Auto).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("byte order mark"), "{e}");
        let e = decode(b"\xEF\xBB\xBFh\n", Encoding::Cp949).unwrap_err();
        assert_eq!(e.line, 1);
        let e = decode(b"h\n\xFF\xFF\n", Encoding::Auto).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn reads_through_tiny_chunks_of_a_long_line() {
        let long = "가".repeat(10_000) + "\n";
        assert_eq!(decode(long.as_bytes(), Encoding::Utf8).unwrap(), long);
    }
}
