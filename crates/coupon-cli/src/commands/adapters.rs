//! `coupon adapters`: what is installed and what each adapter can do.

use coupon::{AdapterFactory, Capabilities, Registry, Result};
use serde_json::json;

use crate::output::{Output, table};

/// Prints the capability matrix: a table, the README's markdown table (`--markdown`), or JSON.
pub fn run(out: &Output, markdown: bool) -> Result<()> {
    let registry = Registry::from_inventory();
    let factories: Vec<&'static AdapterFactory> = registry.factories().collect();
    if markdown {
        let text = markdown_table(&factories);
        out.emit(&json!({"markdown": text}), || text.trim_end().to_string());
        return Ok(());
    }
    let doc = json!({
        "adapters": factories.iter().map(|f| json!({
            "name": f.name,
            "summary": f.summary,
            "capabilities": f.capabilities,
        })).collect::<Vec<_>>()
    });
    out.emit(&doc, || {
        let names: Vec<&str> = Capabilities::NONE.entries().iter().map(|(n, _)| *n).collect();
        let mut header = vec!["adapter"];
        header.extend(&names);
        let mut t = table(&header);
        for f in &factories {
            let mut row = vec![f.name.to_string()];
            row.extend(f.capabilities.entries().iter().map(|(_, on)| mark(*on).to_string()));
            t.add_row(row);
        }
        let summaries: Vec<String> = factories.iter().map(|f| format!("  {:<11} {}", f.name, f.summary)).collect();
        format!("{t}\n{}", summaries.join("\n"))
    });
    Ok(())
}

fn mark(on: bool) -> &'static str {
    if on { "✓" } else { "·" }
}

/// The capability matrix as markdown: one column per adapter, one row per
/// capability of [`Capabilities::entries`]; each line ends with a newline.
pub fn markdown_table(factories: &[&AdapterFactory]) -> String {
    let mut text = String::from("| operation |");
    for f in factories {
        text.push_str(&format!(" {} |", f.name));
    }
    text.push_str("\n|---|");
    text.push_str(&":-:|".repeat(factories.len()));
    text.push('\n');
    for (row, (name, _)) in Capabilities::NONE.entries().iter().enumerate() {
        text.push_str(&format!("| `{name}` |"));
        for f in factories {
            text.push_str(&format!(" {} |", mark(f.capabilities.entries()[row].1)));
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use coupon::Error;

    use super::*;

    static ACME: AdapterFactory = AdapterFactory {
        name: "acme",
        summary: "an example",
        capabilities: Capabilities { issue: true, balance: true, ..Capabilities::NONE },
        config: &[],
        build: |_| Err(Error::config("example only")),
    };

    #[test]
    fn the_markdown_table_has_a_column_per_adapter_and_a_row_per_capability() {
        let text = markdown_table(&[&ACME]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "| operation | acme |");
        assert_eq!(lines[1], "|---|:-:|");
        assert_eq!(lines.len(), 2 + Capabilities::NONE.entries().len());
        assert_eq!(lines[2], "| `issue` | ✓ |");
        assert!(lines.contains(&"| `cancel` | · |") && lines.contains(&"| `balance` | ✓ |"), "{text}");
    }
}
