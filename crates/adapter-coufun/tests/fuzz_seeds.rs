//! Replays every committed seed of the `coufun_*` fuzz targets through the parser, so a
//! crash once found stays fixed without cargo-fuzz. Seeds named `ok-*` must parse,
//! `vendor-*` must be a vendor refusal, `bad-*` must be refused as malformed.

use std::path::{Path, PathBuf};

use adapter_coufun::wire::replies::parse_status;

fn seed_dirs() -> Vec<PathBuf> {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .expect("fuzz/seeds exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("coufun_")))
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_committed_seed_replays_without_panic_and_as_labelled() {
    let dirs = seed_dirs();
    assert!(!dirs.is_empty(), "no fuzz/seeds/coufun_* directory");
    let mut replayed = 0;
    for dir in dirs {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(&dir).expect("seed dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).expect("seed file");
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            for charset in [None, Some("EUC-KR"), Some("UTF-8")] {
                let _ = parse_status(&bytes, charset);
            }
            let outcome = parse_status(&bytes, None);
            if name.starts_with("ok-") {
                assert!(matches!(outcome, Ok(Ok(_))), "{name}: {outcome:?}");
            } else if name.starts_with("vendor-") {
                assert!(matches!(outcome, Ok(Err(_))), "{name}: {outcome:?}");
            } else if name.starts_with("bad-") {
                assert!(outcome.is_err(), "{name}: {outcome:?}");
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 10, "only {replayed} seeds");
}
