//! The speaker mark on the current call while its words are being said: the "two senses" rule
//! for people who cannot hear. Bundled fonts have no speaker glyph (Noto Sans has no symbols
//! block), so it is drawn with the shapes the renderer has: a rounded body, a cone of slices of
//! growing height, and two sound waves (rings whose left halves are covered).

use crate::scene::display::*;

/// Slices the cone is drawn with: enough for a smooth edge at the sizes the mark is drawn at.
const CONE_SLICES: usize = 8;

/// The mark's width for a height of `h`.
pub fn width(h: f32) -> f32 {
    h * 1.07
}

/// The items of a speaker mark `h` high with its right edge at `right` and its middle at
/// `middle`, in `color`, on a background of `behind` (the waves' left halves are covered with
/// it, so it must be the solid colour under the mark).
pub fn items(right: f32, middle: f32, h: f32, color: Color, behind: Color) -> Vec<Item> {
    let x0 = right - width(h);
    let rect = |x: f32, y: f32, w: f32, h: f32, radius: f32, fill: Color| {
        Item::Rect(RectItem {
            rect: Rect::new(x, y, w, h),
            radius,
            fill,
            border: None,
        })
    };
    let mut out = Vec::new();
    // The waves first: two rings centred a little right of the cone's mouth, whose left halves
    // the cover hides, so that two arcs open to the right.
    let centre = x0 + 0.6 * h;
    let stroke = 0.09 * h;
    for radius in [0.2 * h, 0.42 * h] {
        out.push(Item::Rect(RectItem {
            rect: Rect::new(centre - radius, middle - radius, 2.0 * radius, 2.0 * radius),
            radius,
            fill: behind.with_alpha(0.0),
            border: Some((stroke, color)),
        }));
    }
    let cover_left = centre - 0.42 * h - stroke;
    out.push(rect(
        cover_left,
        middle - 0.5 * h,
        centre - cover_left,
        h,
        0.0,
        behind,
    ));
    // The body, then the cone opening to the right.
    let body_h = 0.36 * h;
    out.push(rect(
        x0,
        middle - body_h / 2.0,
        0.2 * h,
        body_h,
        0.04 * h,
        color,
    ));
    let (cone_x, cone_w) = (x0 + 0.18 * h, 0.3 * h);
    let slice = cone_w / CONE_SLICES as f32;
    for i in 0..CONE_SLICES {
        let t = (i as f32 + 1.0) / CONE_SLICES as f32;
        let sh = body_h + (0.88 * h - body_h) * t;
        // Each slice overlaps the next a little, so that no seam shows between them.
        out.push(rect(
            cone_x + slice * i as f32,
            middle - sh / 2.0,
            slice * 1.6,
            sh,
            0.0,
            color,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_stays_inside_its_box() {
        let (right, middle, h) = (500.0, 100.0, 40.0);
        let items = items(
            right,
            middle,
            h,
            Color::rgb(255, 255, 255),
            Color::rgb(0, 0, 0),
        );
        for item in &items {
            let Item::Rect(r) = item else {
                panic!("only rectangles: {item:?}")
            };
            let border = r.border.map_or(0.0, |(w, _)| w / 2.0);
            assert!(r.rect.x >= right - width(h) - 0.1 * h, "{r:?}");
            assert!(r.rect.right() + border <= right + 0.01, "{r:?}");
            assert!(r.rect.y >= middle - 0.5 * h - 0.1 * h, "{r:?}");
            assert!(r.rect.bottom() <= middle + 0.5 * h + 0.1 * h, "{r:?}");
        }
    }
}
