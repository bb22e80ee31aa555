//! Which parts of the screen changed between two display lists, so that a frame redraws only
//! those (see [`Renderer::render_retained`](super::Renderer::render_retained)).
//!
//! An item that is in both lists, unchanged, draws the same pixels in both frames, provided that
//! everything drawn over or under it at those pixels is also the same. So the damage is the
//! bounds of the items found in only one of the two lists; the items common to both must keep
//! their order (a change of stacking alone repaints everything). Pictures are always damaged:
//! the file behind an unchanged item may have been replaced.

use crate::scene::display::{DisplayList, Item, Rect};

/// Past this many rectangles, the closest ones are merged: each costs a render pass.
const MAX_RECTS: usize = 6;

/// Past this share of the frame, a full redraw costs no more than the pieces.
const FULL_SHARE: f64 = 0.6;

/// How far outside an item's box its pixels may reach: a shape's anti-aliased edge is drawn
/// 1.5 pixels beyond its rectangle; text and pictures stay inside theirs.
const REACH: f32 = 2.0;

/// A rectangle of whole pixels: x0, y0 inclusive, x1, y1 exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PixelRect {
    pub(crate) x0: u32,
    pub(crate) y0: u32,
    pub(crate) x1: u32,
    pub(crate) y1: u32,
}

impl PixelRect {
    fn area(&self) -> u64 {
        (self.x1 - self.x0) as u64 * (self.y1 - self.y0) as u64
    }

    fn union(&self, other: &PixelRect) -> PixelRect {
        PixelRect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    fn overlaps(&self, other: &PixelRect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }
}

/// What a frame has to redraw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Damage {
    /// Nothing changed.
    None,
    /// Everything (the first frame, another size or background, a change of stacking, or most
    /// of the screen changed).
    Full,
    /// These rectangles, which do not overlap.
    Rects(Vec<PixelRect>),
}

/// The damage between the frame showing `old` and the one showing `new`.
pub(crate) fn damage(old: &DisplayList, new: &DisplayList) -> Damage {
    if old.width != new.width || old.height != new.height || old.clear != new.clear {
        return Damage::Full;
    }
    let (width, height) = (new.width, new.height);
    let mut matched_old = vec![false; old.items.len()];
    // For each new item, the old item it is the same as.
    let mut matches: Vec<Option<usize>> = Vec::with_capacity(new.items.len());
    for (j, item) in new.items.iter().enumerate() {
        let found = if matches!(item, Item::Image(_)) {
            None
        } else if old.items.get(j) == Some(item) && !matched_old[j] {
            // Most frames change few items and keep the others in place.
            Some(j)
        } else {
            (0..old.items.len()).find(|&i| !matched_old[i] && &old.items[i] == item)
        };
        if let Some(i) = found {
            matched_old[i] = true;
        }
        matches.push(found);
    }
    let common: Vec<usize> = matches.iter().flatten().copied().collect();
    if common.windows(2).any(|w| w[0] > w[1]) {
        return Damage::Full;
    }
    let mut rects: Vec<PixelRect> = Vec::new();
    let changed_old = old
        .items
        .iter()
        .zip(&matched_old)
        .filter(|(_, m)| !**m)
        .map(|(item, _)| item);
    let changed_new = new
        .items
        .iter()
        .zip(&matches)
        .filter(|(_, m)| m.is_none())
        .map(|(item, _)| item);
    for item in changed_old.chain(changed_new) {
        if let Some(r) = pixel_bounds(&bounds(item), width, height) {
            add(&mut rects, r);
        }
    }
    if rects.is_empty() {
        return Damage::None;
    }
    while rects.len() > MAX_RECTS {
        merge_closest(&mut rects);
    }
    let damaged: u64 = rects.iter().map(PixelRect::area).sum();
    if damaged as f64 > FULL_SHARE * width as f64 * height as f64 {
        return Damage::Full;
    }
    Damage::Rects(rects)
}

fn bounds(item: &Item) -> Rect {
    match item {
        Item::Rect(r) => r.rect,
        Item::Arrow(a) => a.rect,
        Item::Text(t) => t.rect,
        Item::Image(i) => i.rect,
    }
}

/// The whole pixels an item's box can touch, within the frame; `None` when none.
fn pixel_bounds(r: &Rect, width: u32, height: u32) -> Option<PixelRect> {
    let values = [r.x, r.y, r.right(), r.bottom()];
    if !values.iter().all(|v| v.is_finite()) {
        // The renderer skips such items; a full-frame rectangle is the safe answer anyway.
        return Some(PixelRect {
            x0: 0,
            y0: 0,
            x1: width,
            y1: height,
        });
    }
    let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as u32;
    let rect = PixelRect {
        x0: clamp((r.x - REACH).floor(), width),
        y0: clamp((r.y - REACH).floor(), height),
        x1: clamp((r.right() + REACH).ceil(), width),
        y1: clamp((r.bottom() + REACH).ceil(), height),
    };
    (rect.x0 < rect.x1 && rect.y0 < rect.y1).then_some(rect)
}

/// Adds `r`, merging it with every rectangle it overlaps (and again with what that touches), so
/// the list never holds two overlapping rectangles: none is drawn twice.
fn add(rects: &mut Vec<PixelRect>, mut r: PixelRect) {
    loop {
        let Some(i) = rects.iter().position(|o| o.overlaps(&r)) else {
            rects.push(r);
            return;
        };
        r = r.union(&rects.swap_remove(i));
    }
}

/// Merges the two rectangles whose union adds the least area.
fn merge_closest(rects: &mut Vec<PixelRect>) {
    let mut best = (u64::MAX, 0, 1);
    for i in 0..rects.len() {
        for j in i + 1..rects.len() {
            let u = rects[i].union(&rects[j]);
            let cost = u.area().saturating_sub(rects[i].area() + rects[j].area());
            if cost < best.0 {
                best = (cost, i, j);
            }
        }
    }
    let (_, i, j) = best;
    let b = rects.swap_remove(j);
    let a = rects.swap_remove(i);
    add(rects, a.union(&b));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::display::{Color, RectItem, TextItem};

    fn panel(x: f32, y: f32, w: f32, h: f32) -> Item {
        Item::Rect(RectItem {
            rect: Rect::new(x, y, w, h),
            radius: 8.0,
            fill: Color::rgb(20, 40, 60),
            border: None,
        })
    }

    fn text(s: &str, x: f32, y: f32) -> Item {
        Item::Text(TextItem::new(
            s,
            Rect::new(x, y, 100.0, 40.0),
            30.0,
            Color::rgb(255, 255, 255),
        ))
    }

    fn list(items: Vec<Item>) -> DisplayList {
        let mut l = DisplayList::new(1000, 800, Color::rgb(0, 0, 0));
        l.items = items;
        l
    }

    #[test]
    fn unchanged_lists_need_nothing_and_another_size_everything() {
        let a = list(vec![
            panel(0.0, 0.0, 500.0, 400.0),
            text("A017", 10.0, 10.0),
        ]);
        assert_eq!(damage(&a, &a.clone()), Damage::None);
        let mut b = a.clone();
        b.width = 999;
        assert_eq!(damage(&a, &b), Damage::Full);
        let mut c = a.clone();
        c.clear = Color::rgb(1, 1, 1);
        assert_eq!(damage(&a, &c), Damage::Full);
    }

    #[test]
    fn a_changed_text_damages_its_box_and_its_old_box() {
        let a = list(vec![
            panel(0.0, 0.0, 500.0, 400.0),
            text("A017", 10.0, 10.0),
        ]);
        let b = list(vec![
            panel(0.0, 0.0, 500.0, 400.0),
            text("A018", 10.0, 10.0),
        ]);
        assert_eq!(
            damage(&a, &b),
            Damage::Rects(vec![PixelRect {
                x0: 8,
                y0: 8,
                x1: 112,
                y1: 52
            }])
        );
        // Moved: both places, as one rectangle where they overlap.
        let c = list(vec![
            panel(0.0, 0.0, 500.0, 400.0),
            text("A017", 300.0, 300.0),
        ]);
        let Damage::Rects(rects) = damage(&a, &c) else {
            panic!("expected rectangles")
        };
        assert_eq!(rects.len(), 2);
        // An item added or removed at the start shifts the others but damages only itself.
        let d = list(vec![
            text("new", 600.0, 600.0),
            panel(0.0, 0.0, 500.0, 400.0),
            text("A017", 10.0, 10.0),
        ]);
        assert!(matches!(damage(&a, &d), Damage::Rects(r) if r.len() == 1));
    }

    #[test]
    fn a_change_of_stacking_or_most_of_the_screen_redraws_everything() {
        let a = list(vec![
            panel(0.0, 0.0, 500.0, 400.0),
            text("A017", 10.0, 10.0),
        ]);
        let b = list(vec![
            text("A017", 10.0, 10.0),
            panel(0.0, 0.0, 500.0, 400.0),
        ]);
        assert_eq!(damage(&a, &b), Damage::Full);
        let c = list(vec![
            panel(0.0, 0.0, 900.0, 700.0),
            text("A017", 10.0, 10.0),
        ]);
        assert_eq!(damage(&a, &c), Damage::Full);
    }

    #[test]
    fn many_changes_are_merged_into_few_rectangles_that_never_overlap() {
        let a = list((0..40).map(|i| text("x", (i * 24) as f32, 700.0)).collect());
        let b = list((0..40).map(|i| text("y", (i * 24) as f32, 700.0)).collect());
        let Damage::Rects(rects) = damage(&a, &b) else {
            panic!("expected rectangles")
        };
        assert!(rects.len() <= MAX_RECTS);
        for (i, r) in rects.iter().enumerate() {
            for o in &rects[i + 1..] {
                assert!(!r.overlaps(o));
            }
        }
        // Off-screen and non-finite items never produce rectangles outside the frame.
        let c = list(vec![text("z", 5000.0, 5000.0)]);
        assert_eq!(damage(&list(vec![]), &c), Damage::None);
        let d = list(vec![text("z", f32::NAN, 0.0)]);
        assert_eq!(damage(&list(vec![]), &d), Damage::Full);
    }
}
