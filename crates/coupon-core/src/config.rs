//! One vendor's configuration section, as flat keys and string values.
//!
//! The facade reads TOML (one section per vendor) and applies environment
//! overrides (`COUPON_<VENDOR>_<KEY>`); adapters read their keys through a
//! [`SectionReader`], which refuses unknown keys by name. Values never appear in
//! `Debug` output: some are secrets.
//!
//! The section keeps how each key was read ([`ConfigSection::keys_read`]): a
//! factory's declared [`ConfigKey`]s and what its reader asks for are then
//! compared by a test instead of trusted to agree.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use secrecy::SecretString;

use crate::error::{Error, Result};

/// Where a value came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A configuration file (its name or path).
    File(String),
    /// An environment variable (its name).
    Env(String),
    /// Set by code.
    Code,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "in {p}"),
            Origin::Env(v) => write!(f, "from environment variable {v}"),
            Origin::Code => f.write_str("set in code"),
        }
    }
}

/// The keys and values of one vendor's section.
///
/// ```
/// use coupon_core::config::ConfigSection;
/// let mut s = ConfigSection::new("giftletter");
/// s.set("cid", "sandbox");
/// s.set("auth_key", "sandbox-key");
/// assert!(!format!("{s:?}").contains("sandbox-key"));
/// let mut r = s.reader();
/// assert_eq!(r.required("cid").unwrap(), "sandbox");
/// let _key = r.required_secret("auth_key").unwrap();
/// r.finish().unwrap();
/// ```
pub struct ConfigSection {
    name: String,
    entries: BTreeMap<String, (String, Origin)>,
    // Written through the shared `&self` every reader holds; each clone keeps its own.
    read: Arc<Mutex<BTreeMap<&'static str, KeyRead>>>,
}

impl Clone for ConfigSection {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            entries: self.entries.clone(),
            read: Arc::new(Mutex::new(self.read_map().clone())),
        }
    }
}

/// How a reader asked for one key of a section (see [`ConfigSection::keys_read`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRead {
    /// The key.
    pub name: &'static str,
    /// Read as a secret ([`SectionReader::required_secret`]).
    pub secret: bool,
    /// Read as required: its absence is an error.
    pub required: bool,
}

impl ConfigSection {
    /// An empty section named after a vendor.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), entries: BTreeMap::new(), read: Arc::default() }
    }

    fn read_map(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, KeyRead>> {
        // A reader that panicked mid-read leaves the record as it was: still the truth.
        self.read.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every key a [`SectionReader`] of this section (or of the section it was
    /// cloned from) asked for, present or not, by name; a key read twice keeps
    /// the first reading. What a factory reads, beside what it declares.
    ///
    /// ```
    /// use coupon_core::config::{ConfigSection, KeyRead};
    /// let s = ConfigSection::new("acme");
    /// let mut r = s.reader();
    /// let _ = r.optional("region");
    /// let _ = r.required_secret("api_key");
    /// assert_eq!(s.keys_read(), vec![
    ///     KeyRead { name: "api_key", secret: true, required: true },
    ///     KeyRead { name: "region", secret: false, required: false },
    /// ]);
    /// ```
    pub fn keys_read(&self) -> Vec<KeyRead> {
        self.read_map().values().copied().collect()
    }

    /// The section (vendor) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets a key from code.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.insert(key, value, Origin::Code);
    }

    /// Sets a key with its origin; a later value replaces an earlier one.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>, origin: Origin) {
        self.entries.insert(key.into(), (value.into(), origin));
    }

    /// The keys present, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Whether the section has no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A reader that tracks which keys the adapter used.
    pub fn reader(&self) -> SectionReader<'_> {
        SectionReader { section: self, used: BTreeSet::new() }
    }
}

impl fmt::Debug for ConfigSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigSection")
            .field("name", &self.name)
            .field("keys", &self.entries.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Reads keys of a [`ConfigSection`]; [`SectionReader::finish`] refuses any key not read.
#[derive(Debug)]
pub struct SectionReader<'a> {
    section: &'a ConfigSection,
    used: BTreeSet<&'static str>,
}

impl SectionReader<'_> {
    fn raw(&mut self, key: &'static str, secret: bool, required: bool) -> Option<&(String, Origin)> {
        self.used.insert(key);
        self.section.read_map().entry(key).or_insert(KeyRead { name: key, secret, required });
        self.section.entries.get(key).filter(|(v, _)| !v.trim().is_empty())
    }

    fn plain(&mut self, key: &'static str) -> Option<&(String, Origin)> {
        self.raw(key, false, false)
    }

    fn missing(&self, key: &str) -> Error {
        Error::config(format!("[{}] needs `{key}`", self.section.name)).with_field(key)
    }

    fn bad(&self, key: &str, origin: &Origin, what: &str) -> Error {
        Error::config(format!("[{}] `{key}` ({origin}) must be {what}", self.section.name)).with_field(key)
    }

    /// An optional plain value, trimmed.
    pub fn optional(&mut self, key: &'static str) -> Option<String> {
        self.plain(key).map(|(v, _)| v.trim().to_string())
    }

    /// A required plain value, trimmed.
    pub fn required(&mut self, key: &'static str) -> Result<String> {
        self.raw(key, false, true).map(|(v, _)| v.trim().to_string()).ok_or_else(|| self.missing(key))
    }

    /// A required secret (key, token). Not trimmed of inner content, only of surrounding space.
    pub fn required_secret(&mut self, key: &'static str) -> Result<SecretString> {
        self.raw(key, true, true)
            .map(|(v, _)| SecretString::from(v.trim().to_string()))
            .ok_or_else(|| self.missing(key))
    }

    /// An optional boolean (`true`/`false`).
    pub fn bool(&mut self, key: &'static str) -> Result<Option<bool>> {
        match self.plain(key).cloned() {
            None => Ok(None),
            Some((v, origin)) => match v.trim() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(self.bad(key, &origin, "true or false")),
            },
        }
    }

    /// An optional whole number.
    pub fn u64(&mut self, key: &'static str) -> Result<Option<u64>> {
        match self.plain(key).cloned() {
            None => Ok(None),
            Some((v, origin)) => v.trim().parse().map(Some).map_err(|_| self.bad(key, &origin, "a whole number")),
        }
    }

    /// An optional duration given in milliseconds.
    pub fn millis(&mut self, key: &'static str) -> Result<Option<Duration>> {
        Ok(self.u64(key)?.map(Duration::from_millis))
    }

    /// An optional value from a fixed set of choices.
    pub fn choice(&mut self, key: &'static str, choices: &[&'static str]) -> Result<Option<&'static str>> {
        match self.plain(key).cloned() {
            None => Ok(None),
            Some((v, origin)) => {
                let v = v.trim().to_ascii_lowercase();
                choices
                    .iter()
                    .find(|c| **c == v)
                    .copied()
                    .map(Some)
                    .ok_or_else(|| self.bad(key, &origin, &format!("one of {}", choices.join(", "))))
            }
        }
    }

    /// Refuses every key that was not read, naming it.
    pub fn finish(self) -> Result<()> {
        let unknown: Vec<(&String, &Origin)> = self
            .section
            .entries
            .iter()
            .filter(|(k, _)| !self.used.contains(k.as_str()))
            .map(|(k, (_, o))| (k, o))
            .collect();
        match unknown.first() {
            None => Ok(()),
            Some((key, origin)) => {
                let known: Vec<&str> = self.used.iter().copied().collect();
                Err(Error::config(format!(
                    "[{}] has an unknown key `{key}` ({origin}); known keys: {}",
                    self.section.name,
                    known.join(", ")
                ))
                .with_field(key.as_str()))
            }
        }
    }
}

/// Stands in for a secret in a hand-written `Debug`: every adapter config shows
/// its keys and tokens as `[redacted]`, the same way.
///
/// ```
/// use coupon_core::config::Redacted;
/// struct Config { cid: String, key: String }
/// impl std::fmt::Debug for Config {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.debug_struct("Config").field("cid", &self.cid).field("key", &Redacted).finish()
///     }
/// }
/// let shown = format!("{:?}", Config { cid: "c".into(), key: "very-secret".into() });
/// assert_eq!(shown, r#"Config { cid: "c", key: [redacted] }"#);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One key of a vendor's config section, as the factory describes it: enough
/// to explain a missing or wrong section and to print one to paste.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigKey {
    /// The key.
    pub name: &'static str,
    /// Whether the adapter refuses a section without it.
    pub required: bool,
    /// Whether the value is a secret (never printed; better set from the environment).
    pub secret: bool,
    /// An example value, as it would stand in the file (quoted for strings).
    pub example: &'static str,
    /// What it is, in a few words.
    pub doc: &'static str,
}

impl ConfigKey {
    /// A required plain key.
    pub const fn required(name: &'static str, example: &'static str, doc: &'static str) -> Self {
        Self { name, required: true, secret: false, example, doc }
    }

    /// A required secret.
    pub const fn secret(name: &'static str, doc: &'static str) -> Self {
        Self { name, required: true, secret: true, example: "\"…\"", doc }
    }

    /// An optional key.
    pub const fn optional(name: &'static str, example: &'static str, doc: &'static str) -> Self {
        Self { name, required: false, secret: false, example, doc }
    }
}

/// The section to paste for vendor `name` with `keys`: required keys first as
/// they stand, optional ones commented out, secrets with the environment
/// variable that can hold them instead.
///
/// ```
/// use coupon_core::config::{section_template, ConfigKey};
/// let t = section_template("acme", &[
///     ConfigKey::required("base_url", "\"https://api.acme\"", "where the API is"),
///     ConfigKey::secret("api_key", "the partner key"),
///     ConfigKey::optional("dev_mode", "true", "send nothing"),
/// ]);
/// assert!(t.starts_with("[acme]\nbase_url = \"https://api.acme\""));
/// assert!(t.contains("api_key = \"…\"") && t.contains("COUPON_ACME_API_KEY"));
/// assert!(t.contains("# dev_mode = true"));
/// ```
pub fn section_template(name: &str, keys: &[ConfigKey]) -> String {
    let mut out = format!("[{name}]\n");
    let ordered = keys.iter().filter(|k| k.required).chain(keys.iter().filter(|k| !k.required));
    for k in ordered {
        let line = format!("{}{} = {}", if k.required { "" } else { "# " }, k.name, k.example);
        let mut note = k.doc.to_string();
        if k.secret {
            note.push_str(&format!(
                "; secret (or COUPON_{}_{})",
                name.to_ascii_uppercase(),
                k.name.to_ascii_uppercase()
            ));
        }
        if !k.required {
            note.push_str(" (optional)");
        }
        out.push_str(&format!("{line:<44} # {note}\n"));
    }
    out
}

/// Reads a URL a vendor's endpoints hang under (or a full endpoint URL): it
/// must be http(s), able to be a base, with no query or fragment. The same
/// rule for every adapter; the transport then refuses plain http to anything
/// but loopback unless allowed.
///
/// ```
/// use coupon_core::config::parse_url;
/// assert!(parse_url("acme", "base_url", "https://api.acme/v1/").is_ok());
/// assert_eq!(parse_url("acme", "base_url", "ftp://x/").unwrap_err().field(), Some("base_url"));
/// assert!(parse_url("acme", "base_url", "https://x/?a=1").is_err());
/// assert!(parse_url("acme", "base_url", "not a url").is_err());
/// ```
#[cfg(feature = "http")]
pub fn parse_url(section: &str, key: &str, value: &str) -> Result<url::Url> {
    let url: url::Url = value
        .trim()
        .parse()
        .map_err(|e| Error::config(format!("[{section}] `{key}` is not a URL: {e}")).with_field(key))?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(format!("[{section}] `{key}` must be an http(s) URL")).with_field(key));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!("[{section}] `{key}` must not carry a query or fragment")).with_field(key));
    }
    Ok(url)
}

#[cfg(feature = "http")]
impl SectionReader<'_> {
    /// A required URL, read by [`parse_url`].
    pub fn required_url(&mut self, key: &'static str) -> Result<url::Url> {
        let value = self.required(key)?;
        parse_url(&self.section.name, key, &value)
    }

    /// An optional URL, read by [`parse_url`].
    pub fn optional_url(&mut self, key: &'static str) -> Result<Option<url::Url>> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => parse_url(&self.section.name, key, &value).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let mut s = ConfigSection::new("coufun");
        s.insert("poc_id", "SANDBOX", Origin::File("coupon.toml".into()));
        s.insert("poc_idd", "X", Origin::Env("COUPON_COUFUN_POC_IDD".into()));
        let mut r = s.reader();
        r.required("poc_id").unwrap();
        let e = r.finish().unwrap_err();
        assert!(
            e.to_string().contains("unknown key `poc_idd` (from environment variable COUPON_COUFUN_POC_IDD)"),
            "{e}"
        );
        assert_eq!(e.field(), Some("poc_idd"));
    }

    #[test]
    fn missing_and_malformed_values_are_config_errors_naming_the_key() {
        let mut s = ConfigSection::new("giftletter");
        s.set("read_timeout_ms", "soon");
        s.set("cid", "  ");
        let mut r = s.reader();
        assert!(r.required("cid").unwrap_err().to_string().contains("[giftletter] needs `cid`"));
        let e = r.millis("read_timeout_ms").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(e.to_string().contains("`read_timeout_ms` (set in code) must be a whole number"), "{e}");
    }

    #[test]
    fn the_section_keeps_how_each_key_was_read_present_or_not() {
        let mut s = ConfigSection::new("acme");
        s.set("base_url", "https://api.acme/");
        let mut r = s.reader();
        r.required("base_url").unwrap();
        assert!(r.required_secret("api_key").is_err());
        r.bool("dev_mode").unwrap();
        r.optional("base_url");
        r.finish().unwrap();
        let read = |secret, required| move |name| KeyRead { name, secret, required };
        assert_eq!(
            s.keys_read(),
            vec![read(true, true)("api_key"), read(false, true)("base_url"), read(false, false)("dev_mode")]
        );
        let copy = s.clone();
        copy.reader().optional("extra");
        assert_eq!(s.keys_read().len(), 3, "a clone keeps its own record");
        assert_eq!(copy.keys_read().len(), 4);
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let mut s = ConfigSection::new("giftimbiz");
        s.set("partner_key", "pk-very-secret");
        let mut r = s.reader();
        let key = r.required_secret("partner_key").unwrap();
        assert!(!format!("{s:?} {r:?} {key:?}").contains("very-secret"));
    }
}
