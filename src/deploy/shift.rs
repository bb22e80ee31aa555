//! Burn-in protection: the whole picture wanders by a few whole pixels over the hours, so that
//! the board's fixed lines and panels never sit on the same pixels all day.

use crate::scene::{DisplayList, Item, Rect};
use jiff::Timestamp;

/// Largest offset either way, in pixels.
pub const MAX_SHIFT: f32 = 4.0;
/// One full sweep left–right; the vertical sweep uses a period that is not a multiple of it, so
/// the path covers the square instead of repeating a line.
const PERIOD_X_S: f64 = 3600.0;
const PERIOD_Y_S: f64 = 4680.0;

/// The offset at `t`: whole pixels (so text stays as crisp as unshifted), within ±[`MAX_SHIFT`],
/// changing by at most a pixel every few minutes. A pure function of the time, so a restart
/// continues where it was and tests can check every second of a day.
pub fn offset_at(t: Timestamp) -> (f32, f32) {
    let s = t.as_millisecond() as f64 / 1000.0;
    let x = (s / PERIOD_X_S * std::f64::consts::TAU).sin() * f64::from(MAX_SHIFT);
    let y = (s / PERIOD_Y_S * std::f64::consts::TAU).sin() * f64::from(MAX_SHIFT);
    (x.round() as f32, y.round() as f32)
}

/// Moves every item of `list` by `(dx, dy)`; the background colour fills what is uncovered.
pub fn shift(list: &mut DisplayList, (dx, dy): (f32, f32)) {
    if dx == 0.0 && dy == 0.0 {
        return;
    }
    let mv = |r: &mut Rect| {
        r.x += dx;
        r.y += dy;
    };
    for item in &mut list.items {
        match item {
            Item::Rect(i) => mv(&mut i.rect),
            Item::Arrow(i) => mv(&mut i.rect),
            Item::Text(i) => mv(&mut i.rect),
            Item::Image(i) => mv(&mut i.rect),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::Color;

    #[test]
    fn stays_small_moves_slowly_and_covers_the_square() {
        let start: Timestamp = "2026-12-01T06:00:00Z".parse().unwrap();
        let mut prev = offset_at(start);
        let mut seen = std::collections::HashSet::new();
        for s in 0..86_400 {
            let o = offset_at(start + jiff::SignedDuration::from_secs(s));
            assert!(o.0.abs() <= MAX_SHIFT && o.1.abs() <= MAX_SHIFT, "{o:?}");
            assert!((o.0 - prev.0).abs() <= 1.0 && (o.1 - prev.1).abs() <= 1.0);
            assert_eq!(o.0.fract(), 0.0);
            seen.insert((o.0 as i32, o.1 as i32));
            prev = o;
        }
        // Over a day the picture visits most of the 9×9 positions, not just a line.
        assert!(seen.len() > 40, "{}", seen.len());
    }

    #[test]
    fn moves_every_item() {
        let mut list = DisplayList::new(100, 100, Color::rgb(0, 0, 0));
        list.rect(
            Rect {
                x: 10.0,
                y: 20.0,
                w: 5.0,
                h: 5.0,
            },
            0.0,
            Color::rgb(1, 1, 1),
        );
        shift(&mut list, (2.0, -3.0));
        let Item::Rect(r) = &list.items[0] else {
            panic!()
        };
        assert_eq!((r.rect.x, r.rect.y), (12.0, 17.0));
    }
}
