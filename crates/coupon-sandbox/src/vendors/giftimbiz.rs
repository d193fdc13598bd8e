//! GiftiMbiz (기프티엠비즈) emulator, served under `/giftimbiz`.
//!
//! Every endpoint of the vendor document, POST, with `partner_id` in the query and the
//! other parameters where the document puts them (`query` in the query string, `body`
//! as form fields); JSON answers with the document's drift (listings send numbers as
//! strings but `percentage` as a number, `isNext` as `"true"`, `result` as `"0000"` but
//! the token answer `0`, starDetail without `result`) and relative image paths.
//!
//! | path under `/giftimbiz/api/v1/` | parameters read from |
//! |---|---|
//! | `common/getAccessToken` | headers `x-refresh-token`, `Partnerkey`, `Partnertoken` |
//! | `giftimbiz/cateGift` | query `CODE`, `BCODE` |
//! | `giftimbiz/listAll` | query `CODE`, `BCODE`, `price`, `word`, `orderby`, `page`, `limit` (default 10, at most 100), `site=gift` |
//! | `giftimbiz/giftDetail` | body `CODE` (gm_idx), `DCODE` (md_idx) |
//! | `giftimbiz/buyGifticoupon` | body `cash`, `md_idx` (`\|`-joined), `product` |
//! | `giftimbiz/buyGifticonList` | — |
//! | `giftimbiz/cateStar` | query `CODE` |
//! | `giftimbiz/starListAll` | query `si`, `gu`, `dong`, `CODE`, `BCODE` (ms_idx), `word`, `page` (10 a page), `makestarid`, `site=gift` |
//! | `giftimbiz/starDetail` | body `CODE` (md_idx), `CCODE` (msl_idx) |
//! | `giftimbiz/buyStarcoupon` | query `cash`, `md_idx`, `product`, `msl_idx`, `msc_idx` (the listing's coupon detail index) |
//! | `giftimbiz/buyStarcouponList` | query `msl`, `md` |
//! | `gifticon/getQRImg` | query `tid`, `msc_idx` (the purchased coupon) |
//! | `gifticon/setUseStarCoupon` | query `msu_idx`, `msc_idx` (the purchased coupon), `managecode` |
//!
//! Tokens: partner ids `sandbox` and `devtest1` (the test account: buys answer success
//! and record nothing), with the sandbox credentials. Wrong `Partnerkey` → TOKEN06,
//! wrong `Partnertoken` or unknown partner id → TOKEN04, missing / wrong refresh token
//! → TOKEN02 / TOKEN05, missing access token → TOKEN01, unknown access token → TOKEN08,
//! another partner's token → Z, expired → TOKEN07 (or T1, see the admin routes).
//! Tokens live an hour unless set otherwise. Missing or malformed parameters → Q.
//!
//! Buying: unknown sale or mismatching ids → PD, a sale this partner already bought →
//! PPA, one sold to another → PD, `cash` not the current price (the sum of the sales'
//! `disprice`, or the Starcoupon's `ms_price`) → PL. getQRImg answers
//! `/UPLOAD/qr/{tid}_{msc_idx}.png`, a real QR code of the `tid`, served by GET under
//! this prefix. setUseStarCoupon checks the seller (M) and `managecode` (N).
//!
//! Admin routes under `/_sandbox/giftimbiz/`: `POST token-lifetime` `{"seconds": n}`
//! (tokens issued from then on), `POST expire-tokens` with an optional
//! `{"code": "T1"|"TOKEN07"}` (every token issued so far expires now and answers that
//! code), `GET issued` (every purchase, oldest first: `{"items": [{"partner_ref": null,
//! "order": tid, "cancelled": false, "kind": "gifticon"|"starcoupon", "partner",
//! "md_idx": [...], "cash", "bought_at", "used", ...}]}`; the API carries no partner
//! reference), `POST listings` `{"count": n, "price": p?}` (each sale sells once: adds
//! `n` fresh sales, copies of the catalog's in turn with new `md_idx`, at today's price
//! `p` when given; answers `{"md_idx": [...], "listings": [listAll items]}`; a reset
//! removes them). `POST /_sandbox/redeem` takes the purchase's `tid` (gifticon or Starcoupon)
//! and marks it used; a gifticon past its `endtime` is refused (409).
//!
//! A gifticon bought keeps its sale's `endtime` of that day: buyGifticonList writes it,
//! and the item is expired once it has passed (its last usable day is the day before).
//! `POST /_sandbox/age` redeems items, and expires or moves the `endtime` of gifticons
//! (Starcoupons carry no validity; no stored value, no delivery); every item of a `tid`
//! is named by it. `GET /_sandbox/records/giftimbiz` lists every item bought (order =
//! `tid`, goods = `md_idx`), in purchase order.
//!
//! The partner credentials it accepts are [`credentials`]; the catalog is
//! `giftimbiz/fixtures.json`.

mod aging;
mod auth;
mod catalog;
#[cfg(test)]
mod fixture_tests;
mod qr;
mod shop;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use chrono::NaiveDate;
use http::{HeaderMap, StatusCode, Uri, header};
use serde::Deserialize;
use serde_json::{Value, json};

use self::aging::Aging;
use self::auth::{TEST_PARTNER, Tokens};
use self::catalog::{Catalog, Gifticon};
use self::shop::{GiftRecord, Shop, StarRecord};
use crate::aging::{AgeReport, AgeRequest};
use crate::emulator::{Emulator, RedeemRequest, now_kst};
use crate::error::AdminError;
use crate::fixtures;
use crate::records::CouponRecord;
use crate::samples::Samples;
use crate::state::lock;

/// Route prefix and admin name.
const NAME: &str = "giftimbiz";

/// The catalog: categories, brands, gifticon sales, Starcoupons.
const FIXTURES: &str = include_str!("giftimbiz/fixtures.json");

/// The partner credentials the emulator accepts, and its configuration section
/// carries. Public knowledge: the sandbox guards nothing.
pub mod credentials {
    /// Partner id (`partner_id` query parameter).
    pub const PARTNER_ID: &str = "sandbox";
    /// Partner key (`Partnerkey` header).
    pub const PARTNER_KEY: &str = "sandbox-partner-key";
    /// Partner token (`Partnertoken` header).
    pub const PARTNER_TOKEN: &str = "sandbox-partner-token";
    /// Refresh token (`x-refresh-token` / `Refresh-Token` headers).
    pub const REFRESH_TOKEN: &str = "sandbox-refresh-token";
}

/// The built-in GiftiMbiz emulator, fresh.
pub(crate) fn emulator() -> Arc<dyn Emulator> {
    Arc::new(Giftimbiz::new())
}

/// A refusal: the vendor's code and message.
type Refusal = (&'static str, &'static str);

/// listAll's page size when `limit` is absent, and its largest.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;
/// starListAll has no `limit`: pages of this many.
const STAR_PAGE: usize = 10;
/// How many sales the admin route may add until a reset.
const MAX_ADDED: usize = 100_000;

/// The GiftiMbiz emulator.
pub(crate) struct Giftimbiz {
    fixtures: Value,
    catalog: Catalog,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    tokens: Tokens,
    shop: Shop,
}

#[derive(Clone, Copy)]
enum Ep {
    CateGift,
    ListAll,
    GiftDetail,
    BuyGift,
    GiftList,
    CateStar,
    StarListAll,
    StarDetail,
    BuyStar,
    StarList,
    QrImg,
    UseStar,
}

/// What a request carries, parsed leniently: bad bytes never fail a request here.
struct Req {
    headers: HeaderMap,
    query: HashMap<String, String>,
    body: HashMap<String, String>,
}

fn parse_pairs(bytes: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

impl Req {
    fn query(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
    fn body(&self, key: &str) -> Option<&str> {
        self.body.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

fn ok(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.insert("result".into(), json!("0000"));
    }
    v
}

fn refusal((code, msg): Refusal) -> Value {
    json!({ "result": code, "msg": msg })
}

const MISSING: Refusal = ("Q", "파라미터오류");

fn required(v: Option<&str>) -> Result<&str, Refusal> {
    v.ok_or(MISSING)
}

fn number<T: std::str::FromStr>(v: Option<&str>) -> Result<Option<T>, Refusal> {
    v.map(|s| s.parse::<T>().map_err(|_| MISSING)).transpose()
}

fn contains(haystack: &str, word: &str) -> bool {
    haystack.to_lowercase().contains(&word.to_lowercase())
}

fn paged(items: Vec<Value>, page: usize, limit: usize) -> Value {
    let total = items.len();
    let start = page.saturating_sub(1).saturating_mul(limit);
    let list: Vec<Value> = items.into_iter().skip(start).take(limit).collect();
    let is_next = start.saturating_add(limit) < total;
    json!({ "total_count": total, "isNext": if is_next { "true" } else { "false" }, "list": list })
}

impl Giftimbiz {
    /// A fresh emulator over the embedded catalog.
    pub(crate) fn new() -> Self {
        let fixtures = fixtures::parse(NAME, FIXTURES);
        let catalog = Catalog::from_fixtures(&fixtures);
        Self { fixtures, catalog, state: Mutex::default() }
    }

    /// Every gifticon sale: the catalog's, then those the admin route added.
    fn gifticons<'a>(&'a self, shop: &'a Shop) -> impl Iterator<Item = &'a Gifticon> + 'a {
        self.catalog.gifticons.iter().chain(&shop.added)
    }

    fn gifticon<'a>(&'a self, shop: &'a Shop, md_idx: u32) -> Option<&'a Gifticon> {
        self.gifticons(shop).find(|g| g.md_idx == md_idx)
    }

    /// `POST /_sandbox/giftimbiz/listings`: `count` fresh sales, each a copy of a catalog
    /// sale (in turn) with a new `md_idx`, at `price` now when given.
    fn add_listings(&self, req: &AddListings) -> Result<Value, AdminError> {
        if req.count == 0 || req.count > MAX_ADDED {
            return Err(AdminError::BadRequest(format!("count must be within 1..={MAX_ADDED}, got {}", req.count)));
        }
        if req.price == Some(0) {
            return Err(AdminError::BadRequest("price must be at least 1".into()));
        }
        let mut state = lock(&self.state);
        let shop = &mut state.shop;
        if shop.added.len() + req.count > MAX_ADDED {
            return Err(AdminError::BadRequest(format!("at most {MAX_ADDED} listings can be added until a reset")));
        }
        let mut next = self.gifticons(shop).map(|g| g.md_idx).max().unwrap_or(0);
        let today = Self::today();
        let mut listings = Vec::with_capacity(req.count);
        for i in 0..req.count {
            let templates = &self.catalog.gifticons;
            let Some(template) = templates.get((shop.added.len() + i) % templates.len().max(1)) else {
                return Err(AdminError::Conflict("the catalog has no gifticon to copy".into()));
            };
            next += 1;
            let mut g = template.clone();
            g.md_idx = next;
            if let Some(price) = req.price {
                // Over 60 days left: the first tier is the price now; the list price and
                // the later tiers keep the document's order (list > tier 1 > 2 > 3).
                g.endtime_days_from_now = 90;
                g.sell_price1 = price;
                g.sell_price2 = price - price / 10;
                g.sell_price3 = price - price / 5;
                g.price = price + price / 5;
            }
            listings.push(g);
        }
        let rendered: Vec<Value> = listings.iter().map(|g| g.listing_json(&self.catalog, today)).collect();
        let md_idx: Vec<u32> = listings.iter().map(|g| g.md_idx).collect();
        shop.added.extend(listings);
        Ok(json!({ "md_idx": md_idx, "listings": rendered }))
    }

    fn today() -> NaiveDate {
        now_kst().date_naive()
    }

    /// getAccessToken: the only answer whose `result` is the number 0.
    fn token(&self, req: &Req) -> Value {
        match lock(&self.state).tokens.issue(&req.headers, req.query("partner_id")) {
            Ok(token) => json!({ "result": 0, "token": token }),
            Err(r) => refusal(r),
        }
    }

    fn handle(&self, ep: Ep, req: &Req) -> Value {
        let mut state = lock(&self.state);
        let partner = match state.tokens.authorize(&req.headers, req.query("partner_id")) {
            Ok(p) => p,
            Err(r) => return refusal(r),
        };
        let answer = match ep {
            Ep::CateGift => Ok(self.cate_gift(req)),
            Ep::ListAll => self.list_all(req, &state.shop),
            Ep::GiftDetail => self.gift_detail(req, &state.shop),
            Ep::BuyGift => self.buy_gift(req, &partner, &mut state.shop),
            Ep::GiftList => {
                let list = state.shop.gift_list(&partner, &self.catalog);
                Ok(ok(json!({ "total_count": list.len(), "isNext": "false", "list": list })))
            }
            Ep::CateStar => Ok(self.cate_star(req)),
            Ep::StarListAll => self.star_list_all(req),
            // The document's starDetail answer has no `result`.
            Ep::StarDetail => self.star_detail(req),
            Ep::BuyStar => self.buy_star(req, &partner, &mut state.shop),
            Ep::StarList => Ok(ok(json!({
                "data": state.shop.star_data(&partner, &self.catalog, req.query("msl"), req.query("md"))
            }))),
            Ep::QrImg => self.qr_img(req, &partner, &state.shop),
            Ep::UseStar => {
                let (msu, msc, code) = match (req.query("msu_idx"), req.query("msc_idx"), req.query("managecode")) {
                    (Some(a), Some(b), Some(c)) => (a, b, c),
                    _ => return refusal(MISSING),
                };
                state
                    .shop
                    .use_star(&partner, &self.catalog.star_coupons, msu, msc, code, now_kst())
                    .map(|()| ok(json!({ "message": "사용처리 되었습니다." })))
            }
        };
        answer.unwrap_or_else(refusal)
    }

    fn cate_gift(&self, req: &Req) -> Value {
        let (code, bcode) = (req.query("CODE"), req.query("BCODE"));
        let cate: Vec<Value> = self
            .catalog
            .gifticon_categories
            .iter()
            .filter(|c| code.is_none_or(|k| k == c.mc_idx.to_string()))
            .map(|c| json!({ "mc_idx": c.mc_idx, "mc_title": c.mc_title, "mc_gift_thum": c.mc_gift_thum }))
            .collect();
        let brand: Vec<Value> = self
            .catalog
            .brands
            .iter()
            .filter(|b| code.is_none_or(|k| k == b.mc_idx.to_string()))
            .filter(|b| bcode.is_none_or(|k| k == b.mb_idx.to_string()))
            .map(|b| {
                json!({
                    "mb_brand": b.mb_brand,
                    "mb_edu_use_is": b.mb_edu_use_is,
                    "mc_title": self.catalog.category_title(b.mc_idx),
                    "mb_thumb": b.mb_thumb,
                    "mb_idx": b.mb_idx,
                    "mc_idx": b.mc_idx,
                })
            })
            .collect();
        ok(json!({ "cate": cate, "brand": brand }))
    }

    fn list_all(&self, req: &Req, shop: &Shop) -> Result<Value, Refusal> {
        if req.query("site") != Some("gift") {
            return Err(MISSING);
        }
        let page = number::<usize>(req.query("page"))?.unwrap_or(1);
        let limit = number::<usize>(req.query("limit"))?.unwrap_or(DEFAULT_LIMIT);
        let max_price = number::<u64>(req.query("price"))?;
        if page == 0 || limit == 0 || limit > MAX_LIMIT {
            return Err(MISSING);
        }
        let (code, bcode, word) = (req.query("CODE"), req.query("BCODE"), req.query("word"));
        let mut items: Vec<_> = self
            .gifticons(shop)
            .filter(|g| !shop.sold.contains_key(&g.md_idx))
            .filter(|g| code.is_none_or(|k| k == g.mc_idx.to_string()))
            .filter(|g| bcode.is_none_or(|k| k == g.mb_idx.to_string()))
            .filter(|g| max_price.is_none_or(|p| g.disprice() <= p))
            .filter(|g| {
                word.is_none_or(|w| {
                    contains(&g.product, w) || self.catalog.brand(g.mb_idx).is_some_and(|b| contains(&b.mb_brand, w))
                })
            })
            .collect();
        match req.query("orderby") {
            None => items.sort_by_key(|g| std::cmp::Reverse(g.md_idx)),
            Some("hit") => items.sort_by_key(|g| (std::cmp::Reverse(g.hit), g.md_idx)),
            Some("priceH") => items.sort_by_key(|g| (std::cmp::Reverse(g.disprice()), g.md_idx)),
            Some("priceL") => items.sort_by_key(|g| (g.disprice(), g.md_idx)),
            Some("disH") => items.sort_by_key(|g| (std::cmp::Reverse(g.percentage()), g.md_idx)),
            Some("disL") => items.sort_by_key(|g| (g.percentage(), g.md_idx)),
            Some(_) => return Err(MISSING),
        }
        let today = Self::today();
        let rendered = items.into_iter().map(|g| g.listing_json(&self.catalog, today)).collect();
        Ok(ok(paged(rendered, page, limit)))
    }

    fn gift_detail(&self, req: &Req, shop: &Shop) -> Result<Value, Refusal> {
        let code = required(req.body("CODE"))?;
        let dcode = required(req.body("DCODE"))?;
        let g = self
            .gifticons(shop)
            .find(|g| g.gm_idx.to_string() == code && g.md_idx.to_string() == dcode)
            .filter(|g| !shop.sold.contains_key(&g.md_idx))
            .ok_or(("M", "존재하지 않는 상품입니다."))?;
        let today = Self::today();
        let eq_brand: Vec<Value> = self
            .gifticons(shop)
            .filter(|o| o.mb_idx == g.mb_idx && o.md_idx != g.md_idx && !shop.sold.contains_key(&o.md_idx))
            .take(4)
            .map(|o| o.detail_json(&self.catalog, today))
            .collect();
        Ok(ok(json!({ "detail": g.detail_json(&self.catalog, today), "eq_brand": eq_brand })))
    }

    fn buy_gift(&self, req: &Req, partner: &str, shop: &mut Shop) -> Result<Value, Refusal> {
        let cash = number::<u64>(Some(required(req.body("cash"))?))?.ok_or(MISSING)?;
        let md_list = required(req.body("md_idx"))?;
        required(req.body("product"))?;
        // (md_idx, price now, endtime's day) of each sale bought.
        let mut sales: Vec<(u32, u64, NaiveDate)> = Vec::new();
        for item in md_list.split('|') {
            let g =
                item.trim().parse::<u32>().ok().and_then(|md| self.gifticon(shop, md)).ok_or(("PD", "상품검증실패"))?;
            if sales.iter().any(|(md, _, _)| *md == g.md_idx) {
                return Err(("PD", "상품검증실패"));
            }
            match shop.sold.get(&g.md_idx) {
                Some(buyer) if buyer == partner => return Err(("PPA", "중복결제")),
                Some(_) => return Err(("PD", "이미 판매된 상품입니다.")),
                None => {}
            }
            sales.push((g.md_idx, g.disprice(), g.end_date(Self::today())));
        }
        if sales.iter().map(|(_, price, _)| price).sum::<u64>() != cash {
            return Err(("PL", "잘못된 상품금액결제"));
        }
        let now = now_kst();
        let tid = shop.next_tid(&now);
        if partner != TEST_PARTNER {
            for (md_idx, price, endtime) in sales {
                shop.sold.insert(md_idx, partner.to_owned());
                shop.gifts.push(GiftRecord {
                    tid: tid.clone(),
                    partner: partner.to_owned(),
                    md_idx,
                    cash: price,
                    bought_at: now,
                    used_at: None,
                    branch: None,
                    endtime,
                });
            }
        }
        Ok(ok(json!({ "message": "구매가 완료되었습니다.", "tid": tid })))
    }

    fn cate_star(&self, req: &Req) -> Value {
        let code = req.query("CODE");
        let cate: Vec<Value> = self
            .catalog
            .star_categories
            .iter()
            .filter(|c| code.is_none_or(|k| k == c.mc_idx.to_string()))
            .map(|c| json!({ "mc_idx": c.mc_idx, "mc_title": c.mc_title, "mc_gift_thum": c.mc_gift_thum }))
            .collect();
        let brand: Vec<Value> = self
            .catalog
            .star_coupons
            .iter()
            .filter(|s| code.is_none_or(|k| k == s.mc_idx.to_string()))
            .map(|s| {
                json!({
                    "mc_idx": s.mc_idx,
                    "ms_idx": s.ms_idx,
                    "ms_name": s.ms_name,
                    "ms_naverplaceaddr": s.ms_naverplaceaddr,
                    "msl_thumb": s.msl_thumb,
                })
            })
            .collect();
        ok(json!({ "cate": cate, "brand": brand }))
    }

    fn star_list_all(&self, req: &Req) -> Result<Value, Refusal> {
        if req.query("site") != Some("gift") {
            return Err(MISSING);
        }
        let page = number::<usize>(req.query("page"))?.unwrap_or(1);
        if page == 0 {
            return Err(MISSING);
        }
        let eq = |key: &str, value: &str| req.query(key).is_none_or(|k| k == value);
        let items = self
            .catalog
            .star_coupons
            .iter()
            .filter(|s| eq("si", &s.ms_place1) && eq("gu", &s.gu) && eq("dong", &s.dong))
            .filter(|s| eq("CODE", &s.mc_idx.to_string()) && eq("BCODE", &s.ms_idx.to_string()))
            .filter(|s| eq("makestarid", &s.makestarid))
            .filter(|s| {
                req.query("word").is_none_or(|w| {
                    contains(&s.ms_name, w) || contains(&s.ms_product, w) || contains(&s.ms_couponname, w)
                })
            })
            .map(catalog::StarCoupon::listing_json)
            .collect();
        Ok(ok(paged(items, page, STAR_PAGE)))
    }

    fn star_detail(&self, req: &Req) -> Result<Value, Refusal> {
        let code = required(req.body("CODE"))?;
        let ccode = required(req.body("CCODE"))?;
        let s = self
            .catalog
            .star_coupons
            .iter()
            .find(|s| s.md_idx.to_string() == code && s.msl_idx.to_string() == ccode)
            .ok_or(("M", "존재하지 않는 쿠폰입니다."))?;
        let eq_brand: Vec<Value> =
            self.catalog.star_coupons.iter().filter(|o| o.ms_idx == s.ms_idx).map(|o| o.detail_json(true)).collect();
        Ok(json!({ "detail": s.detail_json(false), "eq_brand": eq_brand }))
    }

    fn buy_star(&self, req: &Req, partner: &str, shop: &mut Shop) -> Result<Value, Refusal> {
        let cash = number::<u64>(Some(required(req.query("cash"))?))?.ok_or(MISSING)?;
        let (md, msl, msc) =
            (required(req.query("md_idx"))?, required(req.query("msl_idx"))?, required(req.query("msc_idx"))?);
        required(req.query("product"))?;
        let (index, coupon) = self
            .catalog
            .star_coupons
            .iter()
            .enumerate()
            .find(|(_, s)| s.md_idx.to_string() == md && s.msl_idx.to_string() == msl && s.msc_idx.to_string() == msc)
            .ok_or(("PD", "상품검증실패"))?;
        if coupon.ms_price != cash {
            return Err(("PL", "잘못된 상품금액결제"));
        }
        let now = now_kst();
        let tid = shop.next_tid(&now);
        if partner != TEST_PARTNER {
            let msc_idx = shop.next_msc();
            shop.stars.push(StarRecord {
                tid: tid.clone(),
                partner: partner.to_owned(),
                msc_idx,
                coupon: index,
                cash,
                bought_at: now,
                used_at: None,
                branch: None,
            });
        }
        Ok(ok(json!({ "message": "구매가 완료되었습니다.", "tid": tid })))
    }

    fn qr_img(&self, req: &Req, partner: &str, shop: &Shop) -> Result<Value, Refusal> {
        let tid = required(req.query("tid"))?;
        let msc = required(req.query("msc_idx"))?;
        let r = shop.star(partner, tid, msc).ok_or(("M", "구매내역이 존재하지 않습니다."))?;
        Ok(ok(json!({ "data": format!("/UPLOAD/qr/{}_{}.png", r.tid, r.msc_idx) })))
    }

    /// GET `/UPLOAD/qr/{tid}_{msc_idx}.png`: the QR image of a purchased Starcoupon.
    fn qr_png(&self, file: &str) -> Response {
        let found = file.strip_suffix(".png").and_then(|stem| stem.split_once('_')).and_then(|(tid, msc)| {
            let state = lock(&self.state);
            state.shop.stars.iter().find(|r| r.tid == tid && r.msc_idx.to_string() == msc).map(|r| r.tid.clone())
        });
        match found.and_then(|tid| qr::png(&tid)) {
            Some(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
            None => (StatusCode::NOT_FOUND, "no such QR image").into_response(),
        }
    }

    fn route(self: &Arc<Self>, answer: fn(&Self, &Req) -> Value) -> axum::routing::MethodRouter {
        let this = Arc::clone(self);
        post(move |headers: HeaderMap, uri: Uri, body: Bytes| {
            let this = Arc::clone(&this);
            async move {
                let req =
                    Req { headers, query: parse_pairs(uri.query().unwrap_or("").as_bytes()), body: parse_pairs(&body) };
                axum::Json(answer(&this, &req))
            }
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lifetime {
    seconds: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddListings {
    count: usize,
    price: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expire {
    code: Option<String>,
}

fn json_body<T: for<'de> Deserialize<'de>>(body: &Bytes, empty: Option<T>) -> Result<T, AdminError> {
    if body.iter().all(u8::is_ascii_whitespace)
        && let Some(default) = empty
    {
        return Ok(default);
    }
    serde_json::from_slice(body).map_err(|e| AdminError::BadRequest(format!("malformed body: {e}")))
}

impl Emulator for Giftimbiz {
    fn name(&self) -> &'static str {
        NAME
    }

    fn router(self: Arc<Self>) -> Router {
        let qr = Arc::clone(&self);
        Router::new()
            .route("/api/v1/common/getAccessToken", self.route(Self::token))
            .route("/api/v1/giftimbiz/cateGift", self.route(|s, r| s.handle(Ep::CateGift, r)))
            .route("/api/v1/giftimbiz/listAll", self.route(|s, r| s.handle(Ep::ListAll, r)))
            .route("/api/v1/giftimbiz/giftDetail", self.route(|s, r| s.handle(Ep::GiftDetail, r)))
            .route("/api/v1/giftimbiz/buyGifticoupon", self.route(|s, r| s.handle(Ep::BuyGift, r)))
            .route("/api/v1/giftimbiz/buyGifticonList", self.route(|s, r| s.handle(Ep::GiftList, r)))
            .route("/api/v1/giftimbiz/cateStar", self.route(|s, r| s.handle(Ep::CateStar, r)))
            .route("/api/v1/giftimbiz/starListAll", self.route(|s, r| s.handle(Ep::StarListAll, r)))
            .route("/api/v1/giftimbiz/starDetail", self.route(|s, r| s.handle(Ep::StarDetail, r)))
            .route("/api/v1/giftimbiz/buyStarcoupon", self.route(|s, r| s.handle(Ep::BuyStar, r)))
            .route("/api/v1/giftimbiz/buyStarcouponList", self.route(|s, r| s.handle(Ep::StarList, r)))
            .route("/api/v1/gifticon/getQRImg", self.route(|s, r| s.handle(Ep::QrImg, r)))
            .route("/api/v1/gifticon/setUseStarCoupon", self.route(|s, r| s.handle(Ep::UseStar, r)))
            .route("/UPLOAD/qr/{file}", get(move |Path(file): Path<String>| async move { qr.qr_png(&file) }))
    }

    fn fixtures(&self) -> Value {
        self.fixtures.clone()
    }

    fn config_section(&self, vendor_url: &str) -> String {
        use credentials::{PARTNER_ID, PARTNER_KEY, PARTNER_TOKEN, REFRESH_TOKEN};
        format!(
            r#"[{NAME}]
base_url = "{vendor_url}"
partner_id = "{PARTNER_ID}"
partner_key = "{PARTNER_KEY}"
partner_token = "{PARTNER_TOKEN}"
refresh_token = "{REFRESH_TOKEN}"
"#
        )
    }

    fn samples(&self) -> Samples {
        self.catalog.samples()
    }

    fn reset(&self) {
        *lock(&self.state) = State::default();
    }

    fn redeem(&self, req: &RedeemRequest) -> Result<Value, AdminError> {
        let at = req.at_kst()?;
        let mut state = lock(&self.state);
        let shop = &mut state.shop;
        let gifts: Vec<&mut GiftRecord> = shop.gifts.iter_mut().filter(|r| r.tid == req.id).collect();
        if !gifts.is_empty() {
            if gifts.iter().all(|r| r.used_at.is_some()) {
                return Err(AdminError::Conflict(format!("gifticon order {} is already used", req.id)));
            }
            if let Some(r) = gifts.iter().find(|r| r.used_at.is_none() && at.date_naive() > r.last_day()) {
                return Err(AdminError::Conflict(format!(
                    "gifticon order {} was valid until {} (KST), before the redemption time",
                    req.id,
                    r.last_day()
                )));
            }
            let mut md = Vec::new();
            for r in gifts {
                if r.used_at.is_none() {
                    r.used_at = Some(at);
                    r.branch.clone_from(&req.branch);
                }
                md.push(r.md_idx);
            }
            return Ok(json!({
                "vendor": NAME, "kind": "gifticon", "tid": req.id, "md_idx": md,
                "branch": req.branch, "used_at": at.format("%Y-%m-%d %H:%M:%S").to_string(),
            }));
        }
        let star = shop
            .stars
            .iter_mut()
            .find(|r| r.tid == req.id)
            .ok_or_else(|| AdminError::NotFound(format!("no GiftiMbiz purchase with tid {:?}", req.id)))?;
        if star.used_at.is_some() {
            return Err(AdminError::Conflict(format!("Starcoupon order {} is already used", req.id)));
        }
        star.used_at = Some(at);
        star.branch.clone_from(&req.branch);
        Ok(json!({
            "vendor": NAME, "kind": "starcoupon", "tid": req.id, "msc_idx": star.msc_idx.to_string(),
            "branch": req.branch, "used_at": at.format("%Y-%m-%d %H:%M:%S").to_string(),
        }))
    }

    fn age(&self, req: &AgeRequest) -> Result<AgeReport, AdminError> {
        let mut state = lock(&self.state);
        let mut draft = state.shop.clone();
        let report = crate::aging::age(&mut Aging::new(&mut draft, &self.catalog), req, now_kst())?;
        state.shop = draft;
        Ok(report)
    }

    fn records(&self) -> Option<Vec<CouponRecord>> {
        let today = Self::today();
        let state = lock(&self.state);
        let shop = &state.shop;
        Some(shop.items().into_iter().filter_map(|item| shop.record(item, &self.catalog, today)).collect())
    }

    fn admin_router(self: Arc<Self>) -> Option<Router> {
        let expire = Arc::clone(&self);
        let issued = Arc::clone(&self);
        let listings = Arc::clone(&self);
        Some(
            Router::new()
                .route(
                    "/issued",
                    get(move || async move {
                        let state = lock(&issued.state);
                        axum::Json(json!({ "items": state.shop.issued(&issued.catalog) }))
                    }),
                )
                .route(
                    "/listings",
                    post(move |body: Bytes| async move {
                        let req: AddListings = json_body(&body, None)?;
                        listings.add_listings(&req).map(axum::Json)
                    }),
                )
                .route(
                    "/token-lifetime",
                    post(move |body: Bytes| async move {
                        let l: Lifetime = json_body(&body, None)?;
                        lock(&self.state).tokens.set_lifetime(Duration::from_secs(l.seconds));
                        Ok::<_, AdminError>(axum::Json(json!({ "token_lifetime_seconds": l.seconds })))
                    }),
                )
                .route(
                    "/expire-tokens",
                    post(move |body: Bytes| async move {
                        let e: Expire = json_body(&body, Some(Expire::default()))?;
                        let code = match e.code.as_deref() {
                            None | Some("TOKEN07") => "TOKEN07",
                            Some("T1") => "T1",
                            Some(other) => {
                                return Err(AdminError::BadRequest(format!(
                                    "code must be T1 or TOKEN07, got {other:?}"
                                )));
                            }
                        };
                        let n = lock(&expire.state).tokens.expire_all(code);
                        Ok(axum::Json(json!({ "expired": n, "code": code })))
                    }),
                ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_section_is_the_adapter_configuration() {
        let expected = r#"[giftimbiz]
base_url = "http://127.0.0.1:8089/giftimbiz"
partner_id = "sandbox"
partner_key = "sandbox-partner-key"
partner_token = "sandbox-partner-token"
refresh_token = "sandbox-refresh-token"
"#;
        assert_eq!(Giftimbiz::new().config_section("http://127.0.0.1:8089/giftimbiz"), expected);
    }

    #[test]
    fn samples_buy_one_sale_at_todays_price_and_show_another() {
        let emu = Giftimbiz::new();
        let s = serde_json::to_value(emu.samples()).unwrap();
        let (gm, md) = s["product"].as_str().unwrap().split_once(':').expect("\"{gm_idx}:{md_idx}\"");
        let shown = emu.catalog.gifticon(md.parse().unwrap()).expect("a sale of the catalog");
        assert_eq!(gm, shown.gm_idx.to_string());
        assert_eq!(s["products"], json!({ "category": shown.mc_idx.to_string() }));
        let bought = emu.catalog.gifticon(s["issue"]["product_id"].as_str().unwrap().parse().unwrap()).unwrap();
        assert_ne!(bought.md_idx, shown.md_idx, "buying the sample leaves the detail sample for sale");
        assert_eq!(
            s["issue"],
            json!({ "product_id": "18403", "product_name": bought.product, "amount": bought.disprice() })
        );
        for absent in ["coupon", "balance_coupon", "redemptions"] {
            assert!(s.get(absent).is_none(), "{absent}");
        }
    }
}
