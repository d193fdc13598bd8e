//! The documents the parser benchmarks read: generated, deterministic, in each
//! vendor's shape as its document and the sandbox write it, at the sizes the issue
//! names. Each generator is tested to produce what the adapter accepts in full.

pub mod coufun;
pub mod giftimbiz;
pub mod giftishow;
pub mod giftletter;

/// Branch names as the Giftletter report carries them (the document's example
/// and a few more), so the EUC-KR decoder sees real Hangul.
pub const BRANCHES: [&str; 12] = [
    "광주영주",
    "금정이마트",
    "제주컨벤션센터",
    "마산양덕홈플러스",
    "중동현대",
    "시화이마트",
    "풍무홈플러스",
    "전북대",
    "부산대",
    "강남역삼",
    "대전둔산",
    "인천송도센트럴파크",
];

/// Brands and products the catalogs name, Korean as the vendors write them.
pub const BRANDS: [(&str, &str); 6] = [
    ("GS25", "모바일상품권"),
    ("스타벅스", "카페 아메리카노 T"),
    ("CU", "남양)초콜릿드링크초코에몽190ML"),
    ("투썸플레이스", "떠먹는 스트로베리 초콜릿 생크림"),
    ("배스킨라빈스", "파인트 아이스크림"),
    ("파리바게뜨", "교환권 1만원"),
];
