//! The ready-to-use configuration text pointing the SDK at a sandbox: a header
//! comment, then each emulator's [`config_section`](crate::Emulator::config_section).

use std::sync::Arc;

use crate::emulator::Emulator;

/// The first line of every configuration the sandbox writes.
pub(crate) const HEADER: &str = "# coupon sandbox: ready-to-use configuration (loopback only)\n";

/// The configuration for a sandbox at `base_url` (`http://127.0.0.1:PORT`), in the
/// shape the SDK's configuration loader reads: the header, then each emulator's
/// section in name order, separated by a blank line.
pub(crate) fn config_toml(base_url: &str, emulators: &[Arc<dyn Emulator>]) -> String {
    let mut sorted: Vec<&Arc<dyn Emulator>> = emulators.iter().collect();
    sorted.sort_by_key(|e| e.name());
    let sections: Vec<String> = sorted.iter().map(|e| e.config_section(&format!("{base_url}/{}", e.name()))).collect();
    format!("{HEADER}{}", sections.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::emulators;

    const BASE: &str = "http://127.0.0.1:8089";

    /// `key = "value"` with a bare key and a value needing no escape.
    fn is_plain_pair(line: &str) -> bool {
        let Some((key, value)) = line.split_once(" = ") else { return false };
        let bare = !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let quoted = value.len() >= 2 && value.starts_with('"') && value.ends_with('"');
        bare && quoted && !value[1..value.len() - 1].contains(['"', '\\'])
    }

    #[test]
    fn header_then_each_section_in_name_order() {
        let all = emulators();
        let text = config_toml(BASE, &all);
        let mut expected = HEADER.to_owned();
        for (i, e) in all.iter().enumerate() {
            if i > 0 {
                expected.push('\n');
            }
            expected.push_str(&e.config_section(&format!("{BASE}/{}", e.name())));
        }
        assert_eq!(text, expected);

        let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
        let names: Vec<String> = all.iter().map(|e| format!("[{}]", e.name())).collect();
        assert_eq!(headers, names, "one section per emulator, in name order");
        for e in &all {
            let section = e.config_section(&format!("{BASE}/{}", e.name()));
            let mut lines = section.lines();
            assert_eq!(lines.next(), Some(format!("[{}]", e.name()).as_str()), "{section}");
            let pairs: Vec<&str> = lines.collect();
            assert!(pairs.iter().all(|l| is_plain_pair(l)), "{section}");
            // The vendor's prefix, or a path under it (Giftishow's API base is `/giftishow/bizApi`).
            let base = format!("base_url = \"{BASE}/{}", e.name());
            let base_line = pairs.iter().find(|l| l.starts_with("base_url = ")).unwrap_or(&"");
            assert!(
                base_line.strip_prefix(base.as_str()).is_some_and(|rest| rest == "\"" || rest.starts_with('/')),
                "{section}"
            );
            assert!(section.ends_with("\"\n") && !section.ends_with("\n\n"), "{section:?}");
        }
    }

    #[test]
    fn sections_are_sorted_whatever_the_order_given() {
        let mut all = emulators();
        all.reverse();
        assert_eq!(config_toml(BASE, &all), config_toml(BASE, &emulators()));
    }
}
