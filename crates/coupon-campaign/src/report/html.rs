//! The report as one self-contained HTML page: inline CSS and inline SVG, no script,
//! nothing fetched (no font, image or style sheet from anywhere), Korean labels,
//! laid out for A4.
//!
//! Every headline number carries an id (`headline-rows`, `headline-issued`,
//! `headline-used`, `headline-used-pct`, `headline-spent`, `headline-refunded`,
//! `headline-net`) and every chart the class `chart`, so tests and tools can find them.

use std::io::{self, BufWriter, Write};

use super::charts;
use super::data::{Doubts, GoodsLine, ReportData, percent};
use super::format::{Esc, Grouped, count, day, pct, time, won};

/// The style sheet, inlined into every page.
const STYLE: &str = include_str!("style.css");

/// Writes the report page of `data` to `out` (buffered here: `out` may be a bare file).
///
/// # Errors
///
/// Only `out`'s own.
pub fn write_html(data: &ReportData, out: &mut impl Write) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    page(data, &mut out)?;
    out.flush()
}

fn page(d: &ReportData, out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>캠페인 보고서 · {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main class=\"sheet\">\n",
        Esc(&d.campaign)
    )?;
    masthead(d, out)?;
    headline(d, out)?;
    funnel(d, out)?;
    states(d, out)?;
    curve(d, out)?;
    money(d, out)?;
    goods(&d.goods, out)?;
    doubts(&d.doubts, out)?;
    write!(
        out,
        "<footer class=\"notes\">모든 날짜와 시각은 한국 시간(KST), 금액은 원 단위입니다. \
         사용은 전부 사용과 부분 사용을 합한 수이고, 사용률은 발급 대비입니다. \
         쿠폰 상태는 공급사에 마지막으로 확인한 결과입니다.</footer>\n</main>\n</body>\n</html>\n"
    )
}

fn masthead(d: &ReportData, out: &mut dyn Write) -> io::Result<()> {
    let checked = d.sync.checked_oldest.as_ref().map_or_else(|| "아직 확인 전".to_string(), time);
    writeln!(
        out,
        "<header class=\"masthead\"><div><div class=\"eyebrow\">쿠폰 캠페인 보고서</div><h1>{}</h1></div>\
         <dl class=\"meta\"><dt>공급사</dt><dd>{}</dd><dt>작성</dt><dd>{}</dd>\
         <dt>가장 오래된 상태 확인</dt><dd>{}</dd></dl></header>",
        Esc(&d.campaign),
        Esc(&d.vendor),
        time(&d.generated_at),
        Esc(&checked)
    )
}

fn headline(d: &ReportData, out: &mut dyn Write) -> io::Result<()> {
    let h = &d.headline;
    out.write_all("<section class=\"kpis\" aria-label=\"핵심 수치\">\n".as_bytes())?;
    // `note` is markup of the page's own (never input text), so it is written as is.
    let card = |out: &mut dyn Write, class: &str, label: &str, id: &str, value: &dyn std::fmt::Display, note: &str| {
        writeln!(
            out,
            "<div class=\"kpi {class}\"><div class=\"kpi-label\">{label}</div>\
             <div class=\"kpi-value\" id=\"headline-{id}\">{value}</div><div class=\"kpi-note\">{note}</div></div>"
        )
    };
    card(out, "k-rows", "발송 건수", "rows", &count(h.rows), "캠페인의 행")?;
    card(
        out,
        "k-issued",
        "발급",
        "issued",
        &count(h.issued),
        &format!("발송 건수의 {}", pct(percent(h.issued, h.rows))),
    )?;
    card(
        out,
        "k-used",
        "사용률",
        "used-pct",
        &pct(h.used_pct),
        &format!("사용 <span id=\"headline-used\">{}</span>장 / 발급 {}장", count(h.used), count(h.issued)),
    )?;
    card(out, "k-spent", "지출", "spent", &won(h.spent_won), "발급된 쿠폰의 금액")?;
    card(out, "k-refunded", "환불", "refunded", &won(h.refunded_won), "취소로 돌려받은 금액")?;
    card(out, "k-net", "순지출", "net", &won(h.net_won), "지출 − 환불")?;
    out.write_all(b"</section>\n")
}

fn funnel(d: &ReportData, out: &mut dyn Write) -> io::Result<()> {
    let note = if d.funnel.delivered.is_some() {
        "발송 건수 대비"
    } else {
        "발송 건수 대비 · 공급사가 전달 여부를 알려 주지 않음"
    };
    write!(out, "<section class=\"panel\"><h2>발송에서 사용까지<span class=\"sub\">{note}</span></h2>")?;
    charts::funnel(out, &d.funnel)?;
    out.write_all(b"</section>\n")
}

fn states(d: &ReportData, out: &mut dyn Write) -> io::Result<()> {
    let c = &d.coupons;
    let counts = charts::state_counts(c);
    let total: u64 = counts.iter().sum();
    write!(
        out,
        "<section class=\"panel\"><h2>쿠폰 상태<span class=\"sub\">발급 {}장, 마지막 확인 기준</span></h2>",
        count(d.headline.issued)
    )?;
    charts::states(out, c)?;
    out.write_all(b"<ul class=\"legend states-legend\">")?;
    for ((class, label), n) in charts::STATES.iter().zip(counts) {
        write!(
            out,
            "<li><span class=\"swatch s-{class}\"></span><span class=\"name\">{label}</span>\
             <span class=\"num\">{}</span><span class=\"share\">{}</span></li>",
            count(n),
            pct(percent(n, total))
        )?;
    }
    out.write_all(b"</ul>")?;
    if c.details_unknown > 0 {
        write!(
            out,
            "<p class=\"aside\">상세 불명 {}장: 발급 응답을 받지 못해 주문번호 없이 발급된 쿠폰입니다. \
             공급사가 파트너 참조로 찾아 주지 않으면 상태를 확인할 수 없습니다.</p>",
            count(c.details_unknown)
        )?;
    }
    let e = &d.expiring;
    writeln!(
        out,
        "<div class=\"expiring{}\"><div class=\"expiring-title\">만료 예정</div>\
         <div class=\"expiring-body\"><strong>{}일 이내</strong>에 만료되는 미사용 쿠폰 \
         <strong id=\"expiring-count\">{}장</strong> · <strong id=\"expiring-won\">{}</strong>\
         <span class=\"expiring-hint\">만료 전에 취소하면 환불받을 수 있습니다.</span></div></div></section>",
        if e.count == 0 { " none" } else { "" },
        e.within_days,
        count(e.count),
        won(e.won)
    )
}

fn curve(d: &ReportData, out: &mut dyn Write) -> io::Result<()> {
    let sub = match (d.redemptions_by_day.first(), d.redemptions_by_day.last()) {
        (Some(first), Some(last)) => {
            format!("{} ~ {} · 누적 {}장", day(first.day), day(last.day), count(last.cumulative))
        }
        _ => "사용 기록 없음".to_string(),
    };
    write!(out, "<section class=\"panel\"><h2>누적 사용 추이<span class=\"sub\">{sub}</span></h2>")?;
    charts::redemption_curve(out, &d.redemptions_by_day)?;
    out.write_all(b"</section>\n")
}

fn money(d: &ReportData, out: &mut dyn Write) -> io::Result<()> {
    let h = &d.headline;
    write!(
        out,
        "<section class=\"panel\"><h2>지출과 환불<span class=\"sub\">일별, 단위 원</span></h2>\
         <ul class=\"legend inline\"><li><span class=\"swatch spent\"></span>지출 {}</li>\
         <li><span class=\"swatch refunded\"></span>환불 {}</li><li class=\"net\">순지출 {}</li></ul>",
        won(h.spent_won),
        won(h.refunded_won),
        won(h.net_won)
    )?;
    charts::money_bars(out, &d.money_by_day)?;
    out.write_all(b"</section>\n")
}

/// A right-aligned count cell, faded when zero.
fn num_cell(out: &mut dyn Write, n: u64) -> io::Result<()> {
    if n == 0 { out.write_all(b"<td class=\"zero\">0</td>") } else { write!(out, "<td>{}</td>", count(n)) }
}

fn goods(goods: &[GoodsLine], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<section class=\"long\"><h2>상품별 현황<span class=\"sub\">{}개 상품</span></h2>\
         <table class=\"goods\"><thead><tr><th class=\"text\">상품</th><th>발급</th><th>미사용</th><th>사용</th>\
         <th>부분 사용</th><th>취소</th><th>만료</th><th>확인 불가</th><th>지출</th></tr></thead><tbody>",
        count(goods.len() as u64)
    )?;
    if goods.is_empty() {
        out.write_all("<tr><td class=\"text empty\" colspan=\"9\">데이터 없음</td></tr>\n".as_bytes())?;
    }
    let mut total = [0u64; 7];
    let mut spent: i128 = 0;
    for g in goods {
        let name = g.product_name.as_deref().or(g.product_id.as_deref()).unwrap_or("(상품 정보 없음)");
        write!(out, "<tr><td class=\"text\"><span class=\"pname\">{}</span>", Esc(name))?;
        if let (Some(id), Some(_)) = (&g.product_id, &g.product_name) {
            write!(out, "<span class=\"pid\">{}</span>", Esc(id))?;
        }
        out.write_all(b"</td>")?;
        let cells = [g.issued, g.unused, g.used, g.partly_used, g.cancelled, g.expired, g.unknown];
        for (sum, n) in total.iter_mut().zip(cells) {
            *sum = sum.saturating_add(n);
            num_cell(out, n)?;
        }
        spent += i128::from(g.spent_won);
        writeln!(out, "<td>{}</td></tr>", won(g.spent_won))?;
    }
    out.write_all(b"</tbody>")?;
    if goods.len() > 1 {
        out.write_all("<tfoot><tr><td class=\"text\">합계</td>".as_bytes())?;
        for n in total {
            write!(out, "<td>{}</td>", count(n))?;
        }
        write!(out, "<td>{}원</td></tr></tfoot>", Grouped(spent))?;
    }
    out.write_all(b"</table></section>\n")
}

fn doubts(doubts: &Doubts, out: &mut dyn Write) -> io::Result<()> {
    let sub = if doubts.total as usize > doubts.shown.len() {
        format!("전체 {}건 중 앞의 {}건", count(doubts.total), count(doubts.shown.len() as u64))
    } else {
        format!("{}건", count(doubts.total))
    };
    write!(out, "<section class=\"long\"><h2>발급 여부를 확인 중인 행<span class=\"sub\">{sub}</span></h2>")?;
    if doubts.shown.is_empty() {
        return writeln!(
            out,
            "<p class=\"all-clear\">{}</p></section>",
            if doubts.total == 0 {
                "확인이 필요한 행이 없습니다."
            } else {
                "목록을 싣지 않았습니다."
            }
        );
    }
    out.write_all(
        "<table class=\"doubts\"><thead><tr><th>줄</th><th class=\"text\">키</th><th class=\"text\">파트너 참조</th>\
         <th class=\"text\">사유</th></tr></thead><tbody>\n"
            .as_bytes(),
    )?;
    for row in &doubts.shown {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text mono\">{}</td><td class=\"text reason\">{}</td></tr>",
            count(row.line),
            Esc(row.key.as_deref().unwrap_or("—")),
            Esc(&row.partner_ref),
            Esc(&row.reason)
        )?;
    }
    out.write_all(b"</tbody></table></section>\n")
}
