//! `coupon adapters`: what is installed and what each adapter can do.

use coupon::{Capabilities, Registry, Result};
use serde_json::{Value, json};

use crate::output::{Output, table};

/// Prints the capability matrix.
pub fn run(out: &Output) -> Result<()> {
    let registry = Registry::from_inventory();
    let doc = json!({
        "adapters": registry.factories().map(|f| json!({
            "name": f.name,
            "summary": f.summary,
            "capabilities": capabilities_json(&f.capabilities),
        })).collect::<Vec<_>>()
    });
    out.emit(&doc, || {
        let names: Vec<&str> = Capabilities::NONE.entries().iter().map(|(n, _)| *n).collect();
        let mut header = vec!["adapter"];
        header.extend(&names);
        let mut t = table(&header);
        for f in registry.factories() {
            let mut row = vec![f.name.to_string()];
            row.extend(f.capabilities.entries().iter().map(|(_, on)| if *on { "✓" } else { "·" }.to_string()));
            t.add_row(row);
        }
        let summaries: Vec<String> = registry.factories().map(|f| format!("  {:<11} {}", f.name, f.summary)).collect();
        format!("{t}\n{}", summaries.join("\n"))
    });
    Ok(())
}

fn capabilities_json(c: &Capabilities) -> Value {
    Value::Object(c.entries().iter().map(|(name, on)| (name.to_string(), Value::Bool(*on))).collect())
}
