//! The token lifecycle against the sandbox: lazy, shared, one refresh however many
//! calls are refused, stale refusals reuse the newer token, failures reach every waiter.

mod common;

use std::time::Duration;

use adapter_giftimbiz::wire::requests::GiftQuery;
use coupon_core::ErrorKind;
use coupon_sandbox::{FaultKind, FaultSpec};
use futures_util::StreamExt;

#[tokio::test]
async fn the_token_is_fetched_lazily_once_and_shared_by_clones() {
    let (sandbox, client) = common::start().await;
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 0, "nothing fetched before the first call");
    let clone = client.clone();
    client.gift_categories(None, None).await.unwrap();
    clone.star_categories(None).await.unwrap();
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 1);
}

#[tokio::test]
async fn a_token_expiring_in_the_middle_of_a_paged_walk_is_refreshed_once() {
    let (sandbox, client) = common::start().await;
    let mut pages = Box::pin(client.gift_listing_pages(GiftQuery { limit: Some(10), ..GiftQuery::default() }));
    let mut ids = Vec::new();
    let first = pages.next().await.unwrap().unwrap();
    ids.extend(first.items.into_iter().map(|l| l.md_idx));
    common::expire_tokens(&sandbox).await;
    while let Some(page) = pages.next().await {
        ids.extend(page.unwrap().items.into_iter().map(|l| l.md_idx));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 31);
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 2);
    // Page 2 was refused once and replayed: 4 pages + 1 replay.
    assert_eq!(sandbox.request_count(&common::api("giftimbiz/listAll")), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_with_an_expired_token_make_one_token_request() {
    let (sandbox, client) = common::start().await;
    client.gift_categories(None, None).await.unwrap();
    // T1 this time: both expiry codes cure with a refresh.
    common::admin(&sandbox, "expire-tokens", r#"{"code": "T1"}"#).await;
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let category = ["1", "6", "8", "32"][i % 4];
            client.gift_categories(Some(category), None).await.map(|c| c.categories.len())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 1);
    }
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 2, "the first token and exactly one refresh");
    let calls = sandbox.request_count(&common::api("giftimbiz/cateGift"));
    assert!((1001..=2001).contains(&calls), "each call replayed at most once: {calls}");
}

#[tokio::test]
async fn a_refusal_of_an_older_token_reuses_the_newer_one() {
    let (sandbox, client) = common::start().await;
    client.gift_categories(None, None).await.unwrap();
    common::expire_tokens(&sandbox).await;
    // Call B leaves with token 1 but is answered (refused) only after call A refreshed.
    sandbox
        .admin()
        .inject(FaultSpec::new(common::api("giftimbiz/cateStar"), FaultKind::Latency { ms: 700 }))
        .await
        .unwrap();
    let b = tokio::spawn({
        let client = client.clone();
        async move { client.star_categories(None).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    client.gift_categories(None, None).await.unwrap();
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 2);
    b.await.unwrap().unwrap();
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 2, "the stale refusal made no second refresh");
    assert_eq!(sandbox.request_count(&common::api("giftimbiz/cateStar")), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_reaches_every_waiter_without_looping() {
    let (sandbox, client) = common::start().await;
    client.gift_categories(None, None).await.unwrap();
    common::expire_tokens(&sandbox).await;
    // Every call leaves with the expired token and is answered late, so all are waiting
    // when the refresh fails. The refresh is refused once (HTTP 401: not retried); a
    // second token request would succeed.
    let slow = FaultSpec::new(common::api("giftimbiz/cateGift"), FaultKind::Latency { ms: 300 }).times(100);
    sandbox.admin().inject(slow).await.unwrap();
    sandbox.admin().inject(FaultSpec::new(common::TOKEN_PATH, FaultKind::Status { status: 401 })).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move { client.gift_categories(None, None).await }));
    }
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
    }
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 2, "one failed refresh, shared");
    // A new call later tries once more, and succeeds.
    client.gift_categories(None, None).await.unwrap();
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_first_token_reaches_every_concurrent_caller_once() {
    let sandbox = coupon_sandbox::Sandbox::start().await.unwrap();
    let client = common::client(&sandbox, &[("refresh_token", "revoked")]);
    // The refused token request takes a while, so every caller is waiting on it.
    sandbox.admin().inject(FaultSpec::new(common::TOKEN_PATH, FaultKind::Latency { ms: 400 })).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move { client.gift_listings(&GiftQuery::default()).await }));
    }
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert_eq!(e.vendor_code().unwrap().raw(), "TOKEN05");
    }
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 1);
    assert_eq!(sandbox.request_count(&common::api("giftimbiz/listAll")), 0);
}

#[tokio::test]
async fn a_call_that_refreshes_its_token_keeps_one_deadline_for_all_its_sends() {
    let (sandbox, _) = common::start().await;
    let client = common::client(&sandbox, &[("total_timeout_ms", "1000")]);
    client.gift_categories(None, None).await.unwrap();
    common::expire_tokens(&sandbox).await;
    // Refused slowly (600 ms), a slow new token (300 ms), then a slow replay (600 ms):
    // 1.5 s in all, each send well within 1 s on its own.
    let cate = common::api("giftimbiz/cateGift");
    sandbox.admin().inject(FaultSpec::new(&cate, FaultKind::Latency { ms: 600 }).times(2)).await.unwrap();
    sandbox.admin().inject(FaultSpec::new(common::TOKEN_PATH, FaultKind::Latency { ms: 300 })).await.unwrap();
    let started = std::time::Instant::now();
    let e = client.gift_categories(None, None).await.unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(waited < Duration::from_millis(1300), "the operation took {waited:?}, past its 1 s deadline");
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 2, "the refresh happened inside the deadline");
}
