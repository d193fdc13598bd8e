//! The report's charts as inline SVG: the funnel, the coupon states, the cumulative
//! redemption curve and spend against refunds by day.
//!
//! Each chart is one `<svg class="chart …">` with a fixed `viewBox` and `width`/`height`,
//! so it keeps its size (scaled to the column by the style sheet) whatever the data,
//! and an empty one says "데이터 없음" instead of collapsing.

use std::io::{self, Write};

use coupon_core::chrono::{Days, NaiveDate};

use super::data::{CouponStates, Funnel, MoneyDay, RedemptionDay};
use super::format::{Esc, count, pct, short_day, won};

/// The width every chart is drawn at (about an A4 column at 96 dpi).
const W: f64 = 720.0;

/// The colours of the coupon states, shared with the legend (`.swatch.s-…` in the style sheet).
pub(crate) const STATES: [(&str, &str); 7] = [
    ("used", "사용"),
    ("partly", "부분 사용"),
    ("unused", "미사용"),
    ("expired", "만료"),
    ("cancelled", "취소"),
    ("unknown", "확인 불가"),
    ("unchecked", "미확인"),
];

/// The counts of [`STATES`], in its order.
pub(crate) fn state_counts(c: &CouponStates) -> [u64; 7] {
    [c.used, c.partly_used, c.unused, c.expired, c.cancelled, c.unknown, c.unchecked]
}

/// Opens a chart's `<svg>` of height `h`.
fn open(out: &mut dyn Write, kind: &str, h: f64, label: &str) -> io::Result<()> {
    write!(
        out,
        r#"<svg class="chart {kind}" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{}">"#,
        Esc(label)
    )
}

/// The "no data" face of a chart, at the chart's full size.
fn empty(out: &mut dyn Write, h: f64) -> io::Result<()> {
    write!(
        out,
        r#"<rect class="empty-box" x="1" y="1" width="{}" height="{}" rx="8"/><text class="empty-text" x="{}" y="{}" text-anchor="middle" dominant-baseline="middle">데이터 없음</text></svg>"#,
        W - 2.0,
        h - 2.0,
        W / 2.0,
        h / 2.0
    )
}

/// A round step for about four gridlines up to `max`, and the top of the axis.
fn axis(max: u64) -> (u64, u64) {
    let raw = max.max(1).div_ceil(4);
    let magnitude = 10u64.pow(raw.ilog10());
    let step = [1, 2, 5, 10].iter().map(|m| magnitude.saturating_mul(*m)).find(|s| *s >= raw).unwrap_or(raw);
    (step, max.max(1).div_ceil(step).saturating_mul(step))
}

/// Horizontal gridlines and their labels over a plot from `top` to `bottom` (pixels).
fn grid(out: &mut dyn Write, left: f64, right: f64, top: f64, bottom: f64, max: u64) -> io::Result<u64> {
    let (step, axis_top) = axis(max);
    let mut value = 0;
    while value <= axis_top {
        let y = bottom - (value as f64 / axis_top as f64) * (bottom - top);
        write!(
            out,
            r#"<line class="grid" x1="{left}" x2="{right}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{y:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            left - 8.0,
            count(value)
        )?;
        let Some(next) = value.checked_add(step) else { break };
        value = next;
    }
    Ok(axis_top)
}

/// Up to `most` day labels along the x axis among days `first..first + n`: the first,
/// the last, and evenly spaced ones between that keep clear of the last.
fn day_labels(
    out: &mut dyn Write,
    first: NaiveDate,
    n: usize,
    most: usize,
    y: f64,
    x_of: impl Fn(usize) -> f64,
) -> io::Result<()> {
    let every = n.div_ceil(most.max(2) - 1).max(1);
    let last = n.saturating_sub(1);
    let picked = (0..n).step_by(every).filter(|&i| i == 0 || last - i > every / 2).chain((last > 0).then_some(last));
    for i in picked {
        let d = first + Days::new(i as u64);
        write!(out, r#"<text class="tick" x="{:.1}" y="{y}" text-anchor="middle">{}</text>"#, x_of(i), short_day(d))?;
    }
    Ok(())
}

/// The funnel: rows → issued → delivered (when the vendor reports it) → used, bars
/// centred and scaled to the rows, each with its share of the rows.
pub(crate) fn funnel(out: &mut dyn Write, f: &Funnel) -> io::Result<()> {
    let mut steps = vec![("rows", "발송 건수", f.rows), ("issued", "발급", f.issued)];
    if let Some(delivered) = f.delivered {
        steps.push(("delivered", "전달", delivered));
    }
    steps.push(("used", "사용", f.used));
    let (row, gap) = (30.0, 12.0);
    let h = steps.len() as f64 * (row + gap) - gap + 4.0;
    open(out, "funnel", h, "발송에서 사용까지")?;
    if f.rows == 0 {
        return empty(out, h);
    }
    let (centre, span) = (350.0, 400.0);
    let width = |v: u64| (v.min(f.rows) as f64 / f.rows as f64 * span).max(if v > 0 { 3.0 } else { 0.0 });
    for (i, &(class, label, value)) in steps.iter().enumerate() {
        let y = 2.0 + i as f64 * (row + gap);
        let w = width(value);
        if let Some(&(_, _, next)) = steps.get(i + 1) {
            // The neck to the next step: how much of this step goes on.
            let nw = width(next);
            write!(
                out,
                r#"<polygon class="neck" points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}"/>"#,
                centre - w / 2.0,
                y + row,
                centre + w / 2.0,
                y + row,
                centre + nw / 2.0,
                y + row + gap,
                centre - nw / 2.0,
                y + row + gap
            )?;
        }
        write!(
            out,
            r#"<rect class="step step-{class}" x="{:.1}" y="{y}" width="{w:.1}" height="{row}" rx="4"/><text class="label" x="0" y="{:.1}" dominant-baseline="middle">{label}</text><text class="value" x="{W}" y="{:.1}" text-anchor="end" dominant-baseline="middle">{} <tspan class="share">{}</tspan></text>"#,
            centre - w / 2.0,
            y + row / 2.0,
            y + row / 2.0,
            count(value),
            pct(super::data::percent(value, f.rows))
        )?;
    }
    out.write_all(b"</svg>")
}

/// One bar of the issued coupons split by state.
pub(crate) fn states(out: &mut dyn Write, c: &CouponStates) -> io::Result<()> {
    let h = 30.0;
    open(out, "states", h, "쿠폰 상태 분포")?;
    let counts = state_counts(c);
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return empty(out, h);
    }
    write!(
        out,
        r#"<clipPath id="states-clip"><rect x="0" y="0" width="{W}" height="{h}" rx="6"/></clipPath><g clip-path="url(#states-clip)">"#
    )?;
    let mut x = 0.0;
    for ((class, label), n) in STATES.iter().zip(counts) {
        if n == 0 {
            continue;
        }
        let w = n as f64 / total as f64 * W;
        write!(
            out,
            r#"<rect class="s-{class}" x="{x:.2}" y="0" width="{w:.2}" height="{h}"><title>{label} {}</title></rect>"#,
            count(n)
        )?;
        x += w;
    }
    out.write_all(b"</g></svg>")
}

/// The cumulative redemption curve: an area under a line through each day's running
/// total, from zero the day before the first use.
pub(crate) fn redemption_curve(out: &mut dyn Write, days: &[RedemptionDay]) -> io::Result<()> {
    let h = 220.0;
    open(out, "curve", h, "누적 사용 추이")?;
    let (Some(first), Some(last)) = (days.first(), days.last()) else { return empty(out, h) };
    if last.cumulative == 0 {
        return empty(out, h);
    }
    let (left, right, top, bottom) = (72.0, W - 28.0, 14.0, h - 30.0);
    let axis_top = grid(out, left, right, top, bottom, last.cumulative)?;
    let start = first.day.pred_opt().unwrap_or(first.day);
    let span = (last.day - start).num_days().max(1) as f64;
    let x = |d: NaiveDate| left + (d - start).num_days() as f64 / span * (right - left);
    let y = |v: u64| bottom - v as f64 / axis_top as f64 * (bottom - top);
    let mut line = format!("{left:.1},{bottom:.1}");
    for d in days {
        line.push_str(&format!(" {:.1},{:.1}", x(d.day), y(d.cumulative)));
    }
    write!(
        out,
        r#"<polygon class="area" points="{line} {:.1},{bottom:.1}"/><polyline class="line" points="{line}"/>"#,
        x(last.day)
    )?;
    let (lx, ly) = (x(last.day), y(last.cumulative));
    write!(
        out,
        r#"<circle class="dot" cx="{lx:.1}" cy="{ly:.1}" r="4"/><text class="callout" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
        lx - 8.0,
        (ly - 10.0).max(top + 10.0),
        count(last.cumulative)
    )?;
    write!(out, r#"<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>"#)?;
    // Labelled from the first day with a use; the zero before it needs no date.
    let n = (last.day - first.day).num_days() as usize + 1;
    day_labels(out, first.day, n, 8, h - 8.0, |i| x(first.day + Days::new(i as u64)))?;
    out.write_all(b"</svg>")
}

/// Spend and refunds per day, two bars a day over every day from the first to the last.
pub(crate) fn money_bars(out: &mut dyn Write, days: &[MoneyDay]) -> io::Result<()> {
    let h = 200.0;
    open(out, "money", h, "일별 지출과 환불")?;
    let max = days.iter().map(|d| d.spent_won.max(d.refunded_won).max(0) as u64).max().unwrap_or(0);
    let (Some(first), Some(last)) = (days.first(), days.last()) else { return empty(out, h) };
    if max == 0 {
        return empty(out, h);
    }
    let (left, right, top, bottom) = (96.0, W - 28.0, 14.0, h - 30.0);
    let axis_top = grid(out, left, right, top, bottom, max)?;
    let n = (last.day - first.day).num_days() as usize + 1;
    let band = (right - left) / n as f64;
    let bar = (band * 0.38).max(0.6);
    let height = |won: i64| won.max(0) as f64 / axis_top as f64 * (bottom - top);
    for d in days {
        let x0 = left + (d.day - first.day).num_days() as f64 * band + band / 2.0;
        for (class, won_of_day, x) in [("spent", d.spent_won, x0 - bar), ("refunded", d.refunded_won, x0)] {
            // A refund far below the spend still shows as a sliver.
            let bh = if won_of_day > 0 { height(won_of_day).max(1.5) } else { 0.0 };
            if bh > 0.0 {
                write!(
                    out,
                    r#"<rect class="{class}" x="{x:.2}" y="{:.2}" width="{bar:.2}" height="{bh:.2}"><title>{} {}</title></rect>"#,
                    bottom - bh,
                    short_day(d.day),
                    won(won_of_day)
                )?;
            }
        }
    }
    write!(out, r#"<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>"#)?;
    day_labels(out, first.day, n, 8, h - 8.0, |i| left + i as f64 * band + band / 2.0)?;
    out.write_all(b"</svg>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_steps_are_round_and_reach_the_maximum() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(3), (1, 3));
        assert_eq!(axis(812), (500, 1_000));
        assert_eq!(axis(1_000_000), (500_000, 1_000_000));
        assert_eq!(axis(2_300_000), (1_000_000, 3_000_000));
        let (step, top) = axis(u64::MAX / 2);
        assert!(step > 0 && top >= u64::MAX / 2);
    }
}
