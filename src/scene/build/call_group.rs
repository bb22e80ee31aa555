//! Where "A017 → 1" goes in the current call's card: the ticket, the arrow and the counter as
//! one group centred in the card, the arrow midway between the two numbers and as tall as
//! suits the smaller of them, each label centred over its number.

use super::SceneBuilder;
use crate::scene::display::*;
use crate::scene::metrics::{self, LINE_HEIGHT};

/// The boxes of the call's parts, and the numbers' type sizes in pixels.
pub(super) struct CallGroup {
    pub ticket: Rect,
    pub counter: Rect,
    pub arrow: Rect,
    pub ticket_label: Rect,
    pub counter_label: Rect,
    pub ticket_px: f32,
    pub counter_px: f32,
}

/// The arrow's height, and the space on each side of it, as shares of the smaller number's
/// size.
const ARROW_H: f32 = 0.5;
const ARROW_GAP: f32 = 0.3;

impl SceneBuilder<'_> {
    /// Lays out the call in `inner` (the card less its padding): labels on top, the numbers
    /// under them at the layout's sizes — smaller, together, only when the group is wider
    /// than the card.
    pub(super) fn call_group(
        &self,
        inner: Rect,
        headline: &str,
        ticket: &str,
        counter: &str,
        counter_word: &str,
        subtitles: [&[String]; 2],
    ) -> CallGroup {
        let cc = &self.layout.current_call;
        let builtin = self.builtin_font();
        // Subtitles (the labels in other languages) take lines of their own under the labels.
        let sub_px = self.u(Self::subtitle_size(cc.label_size));
        let sub_lines = subtitles.iter().map(|s| s.len()).max().unwrap_or(0) as f32;
        let label_h = self.u(cc.label_size * 1.5) + sub_lines * sub_px * LINE_HEIGHT;
        let big_y = inner.y + label_h;
        let big_h = (inner.h - label_h).max(0.0);
        // Never taller than the box lets a line be.
        let fit_h = big_h / LINE_HEIGHT;
        let mut ticket_px = self.u(cc.ticket_size).min(fit_h);
        let mut counter_px = self.u(cc.counter_size).min(fit_h);
        let bold = |text: &str, px: f32| metrics::width_em(text, Weight::Bold, builtin) * px;
        let mut ticket_w = bold(ticket, ticket_px);
        let mut counter_w = bold(counter, counter_px);
        let arrow_of = |t: f32, c: f32| {
            let h = t.min(c) * ARROW_H;
            (h * 1.3, h, t.min(c) * ARROW_GAP)
        };
        let (mut arrow_w, mut arrow_h, mut gap) = arrow_of(ticket_px, counter_px);
        // Each side of the arrow's middle needs room for its number, and for its label at
        // least at 0.7 of its size (a one-digit counter under "Stanowisko").
        let label_px = self.u(cc.label_size);
        let apart = label_px * 0.6;
        let regular = |text: &str, px: f32| metrics::width_em(text, Weight::Regular, builtin) * px;
        // A label is as wide as its widest line, its subtitles included.
        let label_w = |text: &str, subs: &[String]| {
            subs.iter()
                .map(|s| regular(s, sub_px))
                .fold(bold(text, label_px), f32::max)
        };
        let label_t = label_w(headline, subtitles[0]);
        let label_c = label_w(counter_word, subtitles[1]);
        let sides = |tw: f32, cw: f32, aw: f32, gap: f32| {
            (
                (tw + gap + aw / 2.0).max(label_t * 0.7 + apart),
                (aw / 2.0 + gap + cw).max(label_c * 0.7 + apart),
            )
        };
        // Numbers, arrow and spaces shrink together when the group is wider than the card (a
        // few rounds, since the labels' room does not shrink with them).
        for _ in 0..4 {
            let (left, right) = sides(ticket_w, counter_w, arrow_w, gap);
            let numbers = ticket_w + gap + arrow_w + gap + counter_w;
            let over = left + right - inner.w;
            if over <= 0.0 || numbers <= 0.0 {
                break;
            }
            let f = ((numbers - over) / numbers).max(0.05);
            ticket_px *= f;
            counter_px *= f;
            ticket_w *= f;
            counter_w *= f;
            (arrow_w, arrow_h, gap) = arrow_of(ticket_px, counter_px);
        }
        let (left, right) = sides(ticket_w, counter_w, arrow_w, gap);
        let mid = inner.x + ((inner.w - left - right) / 2.0).max(0.0) + left;
        let arrow_x = mid - arrow_w / 2.0;
        let ticket_x = (arrow_x - gap - ticket_w).max(inner.x);
        let ticket = Rect::new(ticket_x, big_y, (arrow_x - gap - ticket_x).max(0.0), big_h);
        let counter_x = arrow_x + arrow_w + gap;
        let counter = Rect::new(
            counter_x,
            big_y,
            counter_w.min(inner.right() - counter_x).max(0.0),
            big_h,
        );
        // Each label centred over its number, as wide as it needs, kept on its own side of
        // the arrow and within the card (a label with no room there is set smaller).
        let label_box = |over: Rect, w: f32, from: f32, to: f32| {
            let room = (to - from).max(0.0);
            let w = w.min(room);
            // `max` then `min` rather than `clamp`, which panics on the NaN a layout's
            // numbers could make here.
            let x = (over.x + over.w / 2.0 - w / 2.0).max(from).min(to - w);
            Rect::new(x, inner.y, w, label_h)
        };
        let ticket_label = label_box(ticket, label_t, inner.x, mid - apart);
        let counter_label = label_box(counter, label_c, mid + apart, inner.right());
        CallGroup {
            ticket_label,
            counter_label,
            arrow: Rect::new(arrow_x, big_y + (big_h - arrow_h) / 2.0, arrow_w, arrow_h),
            ticket,
            counter,
            ticket_px,
            counter_px,
        }
    }
}
