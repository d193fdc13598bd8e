//! Issue one coupon from Rust and settle every outcome: the README's
//! "Use it from Rust", run for real.
//!
//! `cargo run -p coupon --example giftletter_issue` starts the sandbox on
//! loopback and configures the library from it; with `-- coupon.toml` it reads
//! that file instead (careful: a real vendor issues a real coupon).

use coupon::config::CouponConfig;
// README:start
use coupon::{Adapters, ErrorKind, IssueRequest, PhoneNumber, Reconciliation};

/// Sends one coupon through the Giftletter adapter and says what became of it.
async fn send_gift(adapters: &Adapters) -> coupon::Result<()> {
    let giftletter = adapters.get("giftletter").expect("coupon.toml has a [giftletter] section");
    let request = IssueRequest::new("0000000582")
        .recipient(PhoneNumber::parse_field("recipient", "010-1234-5678")?)
        .callback(PhoneNumber::parse_field("callback", "02-123-4567")?)
        .title("선물이 도착했어요")
        .message("GS25 모바일상품권 1만원");
    // The reference exists before anything is sent: store it with your order,
    // so a crash or a dropped call can still be settled.
    let sent_at = coupon::time::now_kst();
    println!("issuing with partner reference {}", request.partner_ref);

    match giftletter.issue(&request).await {
        Ok(issued) => match &issued.order {
            // A PIN prints masked; `expose()` gives it whole.
            Some(order) => println!("issued: order {order}, PIN {:?}", issued.pin),
            // A coupon exists for this reference (an earlier attempt made it), its
            // order id and PIN unknown: never issue it again under a new reference.
            None => println!("issued earlier: {}", issued.details_unknown.unwrap_or_default()),
        },
        Err(e) if e.kind() == ErrorKind::OutcomeUnknown => {
            // Maybe issued, maybe not: ask the vendor with the same request.
            match giftletter.reconcile(&request, sent_at).await? {
                Reconciliation::Issued(issued) => println!("it was issued: {:?}", issued.order),
                Reconciliation::NotIssued => println!("nothing was issued; sending again is safe"),
                Reconciliation::StillUnknown(why) => println!("still unknown ({why}); ask again later"),
                other => println!("{}", other.as_str()),
            }
        }
        Err(e) if e.kind() == ErrorKind::DuplicateReference => {
            println!("this reference was used before; nothing new was issued: {e}");
        }
        Err(e) => println!("refused, nothing issued: {e}"),
    }
    Ok(())
}
// README:end

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Some(path) = std::env::args().nth(1) {
        return Ok(send_gift(&coupon::from_config(path)?).await?);
    }
    let sandbox = coupon_sandbox::Sandbox::start().await?;
    // Only the sandbox's own configuration (the installed adapters' sections): no COUPON_*
    // variable may point it elsewhere.
    let toml = sandbox.config_toml_for(&coupon::installed_adapters());
    let config = CouponConfig::parse(&toml, "the sandbox configuration", Vec::new())?;
    send_gift(&Adapters::build(&config)?).await?;
    sandbox.shutdown().await;
    Ok(())
}
