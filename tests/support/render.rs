//! For the test binaries that render: one GPU device per binary and golden-image comparison.

use image::{Rgba, RgbaImage};
use std::path::Path;
use std::sync::OnceLock;
use tablica::render::{Gpu, save_png};

/// One device per test binary: creating many leaks memory on lavapipe.
pub fn gpu() -> &'static Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| {
        Gpu::headless().unwrap_or_else(|err| {
            panic!(
                "{err}\nThese tests need a wgpu adapter; without a GPU install lavapipe \
                 (apt-get install mesa-vulkan-drivers libvulkan1)."
            )
        })
    })
}

/// Per-channel absolute differences summarised the way Mesa-to-Mesa noise needs: the mean over
/// all channels, and the 99th percentile of the largest channel difference per pixel.
pub struct Difference {
    pub mean: f64,
    pub p99: u8,
    /// Pixels whose largest channel difference exceeds [`LOUD`]: a changed digit or word.
    pub loud: usize,
    pub diff: RgbaImage,
}

pub fn difference(a: &RgbaImage, b: &RgbaImage) -> Difference {
    let mut total = 0u64;
    let mut loud = 0usize;
    let mut per_pixel = Vec::with_capacity((a.width() * a.height()) as usize);
    let diff = RgbaImage::from_fn(a.width(), a.height(), |x, y| {
        let (pa, pb) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
        let d: Vec<u8> = (0..4).map(|i| pa[i].abs_diff(pb[i])).collect();
        total += d.iter().map(|&v| v as u64).sum::<u64>();
        let max = *d.iter().max().unwrap();
        per_pixel.push(max);
        if max > LOUD {
            loud += 1;
        }
        // Amplified so that small differences are visible.
        let v = max.saturating_mul(8);
        Rgba([v, v, v, 255])
    });
    per_pixel.sort_unstable();
    let p99 = per_pixel[(per_pixel.len() * 99 / 100).min(per_pixel.len() - 1)];
    Difference {
        mean: total as f64 / (a.width() as f64 * a.height() as f64 * 4.0),
        p99,
        loud,
        diff,
    }
}

const MAX_MEAN: f64 = 0.5;
const MAX_P99: u8 = 24;
/// A difference this large in a pixel is content, not rasteriser noise.
const LOUD: u8 = 96;
/// At most this share of pixels may differ loudly (a changed digit of the clock is more).
const MAX_LOUD_SHARE: f64 = 0.0002;

pub fn assert_golden(name: &str, actual: &RgbaImage) {
    let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let golden_path = golden_dir.join(format!("{name}.png"));
    let update = std::env::var_os("TABLICA_UPDATE_GOLDEN").is_some_and(|v| v == "1");
    if update {
        std::fs::create_dir_all(&golden_dir).unwrap();
        save_png(actual, &golden_path).unwrap();
        eprintln!("updated {}", golden_path.display());
        return;
    }
    let failures = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/golden-failures");
    let write_failure = |diff: Option<&RgbaImage>| {
        std::fs::create_dir_all(&failures).unwrap();
        let actual_path = failures.join(format!("{name}.actual.png"));
        save_png(actual, &actual_path).unwrap();
        eprintln!("actual image: {}", actual_path.display());
        if let Some(diff) = diff {
            let diff_path = failures.join(format!("{name}.diff.png"));
            save_png(diff, &diff_path).unwrap();
            eprintln!("difference:   {}", diff_path.display());
        }
    };
    let Ok(golden) = image::open(&golden_path) else {
        write_failure(None);
        panic!(
            "no reference image {}; look at the actual image, and if it is right run \
             `TABLICA_UPDATE_GOLDEN=1 cargo test --test render --test board_golden` and commit tests/golden/",
            golden_path.display()
        );
    };
    let golden = golden.into_rgba8();
    if golden.dimensions() != actual.dimensions() {
        write_failure(None);
        panic!(
            "{name}: size {:?} differs from the reference's {:?}",
            actual.dimensions(),
            golden.dimensions()
        );
    }
    let d = difference(&golden, actual);
    let max_loud = (f64::from(actual.width() * actual.height()) * MAX_LOUD_SHARE) as usize;
    if d.mean > MAX_MEAN || d.p99 > MAX_P99 || d.loud > max_loud {
        write_failure(Some(&d.diff));
        panic!(
            "{name} differs from {}: mean error {:.3} (max {MAX_MEAN}), 99th percentile {} \
             (max {MAX_P99}), {} pixels differ by more than {LOUD} (max {max_loud})",
            golden_path.display(),
            d.mean,
            d.p99,
            d.loud
        );
    }
}

/// What Tesseract reads on `image` with its Polish model, every word it finds in any order
/// (`--psm 11`): the one OCR of the test binaries.
pub fn ocr(image: &RgbaImage) -> String {
    ocr_in(image, "pol")
}

/// What Tesseract reads on `image` with the models `langs` names (`"pol+ukr"` reads a board with
/// Ukrainian subtitles), every word in any order.
pub fn ocr_in(image: &RgbaImage, langs: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("ocr.png");
    save_png(image, &png).unwrap();
    let out = std::process::Command::new("tesseract")
        .arg(&png)
        .arg("stdout")
        .args(["-l", langs, "--psm", "11"])
        .output()
        .expect(
            "tesseract runs (apt-get install tesseract-ocr tesseract-ocr-pol tesseract-ocr-ukr)",
        );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The bounding box (x0, y0, x1, y1) of the pixels that differ loudly between two pictures of
/// one size, if any do: where a change shows, ignoring anti-aliasing's small differences.
pub fn changed_box(a: &RgbaImage, b: &RgbaImage) -> Option<(u32, u32, u32, u32)> {
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    for (x, y, p) in a.enumerate_pixels() {
        let q = b.get_pixel(x, y);
        if (0..3).any(|i| p.0[i].abs_diff(q.0[i]) > 96) {
            let (x0, y0, x1, y1) = bbox.unwrap_or((x, y, x, y));
            bbox = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
        }
    }
    bbox
}
