//! QR images of purchased Starcoupons: a real QR code, PNG-encoded.

use qrcode::{Color, QrCode};

/// Pixels per module.
const SCALE: usize = 4;
/// Light modules around the code, as the QR standard asks.
const QUIET: usize = 4;

/// A grayscale PNG of the QR code of `text`; `None` when it cannot be encoded (too long).
pub(super) fn png(text: &str) -> Option<Vec<u8>> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % width + QUIET, i / width + QUIET);
        for dy in 0..SCALE {
            let row = (my * SCALE + dy) * side;
            pixels[row + mx * SCALE..row + mx * SCALE + SCALE].fill(0);
        }
    }
    let side32 = u32::try_from(side).ok()?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side32, side32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_a_png() {
        let bytes = super::png("20260101000001").expect("short text encodes");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
}
