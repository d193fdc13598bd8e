//! The configuration file: TOML, one section per vendor, every key overridable
//! by an environment variable `COUPON_<VENDOR>_<KEY>`.
//!
//! ```toml
//! [giftletter]
//! base_url = "https://…"
//! cid = "…"
//! auth_key = "…"          # or COUPON_GIFTLETTER_AUTH_KEY
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use coupon_core::config::Origin;
/// One vendor's section, its reader and how the reader asked for each key,
/// re-exported so facade users can name what [`CouponConfig::section`] returns and
/// hand it to an adapter's `from_section`.
pub use coupon_core::config::{ConfigSection, KeyRead, SectionReader};
use coupon_core::{Error, Result};

/// Every vendor section of a configuration, with environment overrides applied.
#[derive(Clone, Default)]
pub struct CouponConfig {
    sections: BTreeMap<String, ConfigSection>,
}

impl fmt::Debug for CouponConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.sections.values()).finish()
    }
}

impl CouponConfig {
    /// Reads a TOML file, then the process environment.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(format!("cannot read the configuration file {}: {e}", path.display())))?;
        Self::parse(&text, &path.display().to_string(), std::env::vars())
    }

    /// Reads TOML text, then the process environment.
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::parse(text, "the configuration", std::env::vars())
    }

    /// Only the process environment (`COUPON_<VENDOR>_<KEY>` variables).
    pub fn from_env() -> Result<Self> {
        Self::parse("", "the environment", std::env::vars())
    }

    /// Reads TOML text named `source`, then applies overrides from `env`.
    ///
    /// Sections are known vendors (installed adapters); an unknown section is
    /// an error naming it. Values are strings, numbers or booleans.
    ///
    /// ```
    /// use coupon::config::CouponConfig;
    /// let env = vec![("COUPON_COUFUN_POC_ID".to_string(), "FROM-ENV".to_string())];
    /// let c = CouponConfig::parse("[coufun]\nbase_url = \"http://127.0.0.1:1/coufun\"\npoc_id = \"X\"\n", "example", env).unwrap();
    /// let mut r = c.section("coufun").unwrap().reader();
    /// assert_eq!(r.required("poc_id").unwrap(), "FROM-ENV");
    /// ```
    pub fn parse(text: &str, source: &str, env: impl IntoIterator<Item = (String, String)>) -> Result<Self> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| Error::config(format!("{source} is not valid TOML: {}", e.message())))?;
        let installed = crate::installed_adapters();
        let mut sections = BTreeMap::new();
        for (name, value) in table {
            let toml::Value::Table(keys) = value else {
                return Err(Error::config(format!("{source}: `{name}` must be a [section] of vendor settings")));
            };
            if !installed.contains(&name.as_str()) {
                return Err(Error::config(format!(
                    "{source}: unknown section [{name}] (installed adapters: {})",
                    installed.join(", ")
                )));
            }
            let mut section = ConfigSection::new(name.clone());
            for (key, value) in keys {
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    _ => {
                        return Err(Error::config(format!(
                            "{source}: [{name}] `{key}` must be a string, number or boolean"
                        ))
                        .with_field(key));
                    }
                };
                section.insert(key, text, Origin::File(source.to_string()));
            }
            sections.insert(name, section);
        }
        let env: Vec<(String, String)> = env.into_iter().collect();
        for vendor in installed {
            let prefix = format!("COUPON_{}_", vendor.to_ascii_uppercase());
            for (var, value) in env.iter().filter(|(k, _)| k.starts_with(&prefix)) {
                let key = var[prefix.len()..].to_ascii_lowercase();
                if key.is_empty() {
                    continue;
                }
                sections.entry(vendor.to_string()).or_insert_with(|| ConfigSection::new(vendor)).insert(
                    key,
                    value.clone(),
                    Origin::Env(var.clone()),
                );
            }
        }
        Ok(Self { sections })
    }

    /// One vendor's section, if configured.
    pub fn section(&self, vendor: &str) -> Option<&ConfigSection> {
        self.sections.get(vendor)
    }

    /// One vendor's section, or an error that shows the section to add.
    pub fn require(&self, vendor: &str) -> Result<&ConfigSection> {
        self.section(vendor).ok_or_else(|| {
            let hint = crate::Registry::from_inventory()
                .get(vendor)
                .map(|_| {
                    format!("add a [{vendor}] section to coupon.toml (run `coupon sandbox` to see a complete example)")
                })
                .unwrap_or_else(|| format!("no adapter named `{vendor}` is installed"));
            Error::config(format!("the configuration has no [{vendor}] section: {hint}"))
        })
    }

    /// The configured vendor names, sorted.
    pub fn vendors(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env() -> Vec<(String, String)> {
        Vec::new()
    }

    #[test]
    fn malformed_toml_and_nested_values_are_named() {
        let e = CouponConfig::parse("[first\n", "x.toml", no_env()).unwrap_err();
        assert!(e.to_string().contains("x.toml is not valid TOML"), "{e}");
        for vendor in crate::installed_adapters() {
            let e = CouponConfig::parse(&format!("[{vendor}]\nsome_key = [1]\n"), "x.toml", no_env()).unwrap_err();
            assert!(e.to_string().contains("`some_key` must be a string"), "{e}");
            assert_eq!(e.field(), Some("some_key"));
        }
        let e = CouponConfig::parse("[nosuchvendor]\n", "x.toml", no_env()).unwrap_err();
        assert!(e.to_string().contains("unknown section [nosuchvendor]"), "{e}");
    }

    #[test]
    fn env_overrides_win_and_add_sections() {
        let installed = crate::installed_adapters();
        let Some(vendor) = installed.first().copied() else {
            // No adapter installed: no section is known, from the file or the environment.
            let e = CouponConfig::parse("[acme]\nk = 1\n", "x.toml", no_env()).unwrap_err();
            assert!(e.to_string().contains("unknown section [acme] (installed adapters: )"), "{e}");
            let c = CouponConfig::parse("", "x.toml", vec![("COUPON_ACME_K".to_string(), "v".to_string())]).unwrap();
            assert_eq!(c.vendors().count(), 0, "no variable makes a section without an adapter");
            assert!(c.require("acme").unwrap_err().to_string().contains("no adapter named `acme` is installed"));
            return;
        };
        let var = format!("COUPON_{}_SOME_KEY", vendor.to_ascii_uppercase());
        let text = format!("[{vendor}]\nsome_key = \"file\"\nnumber = 5\nflag = true\n");
        let c = CouponConfig::parse(&text, "x.toml", vec![(var, "env".to_string())]).unwrap();
        let s = c.section(vendor).unwrap();
        let mut r = s.reader();
        assert_eq!(r.required("some_key").unwrap(), "env");
        assert_eq!(r.u64("number").unwrap(), Some(5));
        assert_eq!(r.bool("flag").unwrap(), Some(true));
        let c =
            CouponConfig::parse("", "x.toml", vec![(format!("COUPON_{}_K", vendor.to_ascii_uppercase()), "v".into())])
                .unwrap();
        assert!(c.section(vendor).is_some());
        assert!(c.require("nosuch").is_err());
        // Every installed adapter answers to its variables, not only the first.
        for other in &installed {
            let var = format!("COUPON_{}_K", other.to_ascii_uppercase());
            let c = CouponConfig::parse("", "x.toml", vec![(var, "v".into())]).unwrap();
            assert_eq!(c.vendors().collect::<Vec<_>>(), vec![*other]);
        }
    }
}
