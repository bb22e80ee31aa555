//! The current call ("Numer → Stanowisko") and the earlier calls.

use super::BLINK;
use super::SceneBuilder;
use crate::protocol::CallInfo;
use crate::protocol::time::saturating_add;
use crate::scene::display::*;
use crate::scene::metrics::{self, LINE_HEIGHT};
use jiff::SignedDuration;

impl SceneBuilder<'_> {
    /// The current call: a placeholder when there is none, else the card, blinking while the
    /// call is new, with a speaker mark while its words are being said.
    pub(super) fn current_call(&mut self) {
        let Some(shown) = self.board.presenter.current().cloned() else {
            self.call_placeholder();
            return;
        };
        let lit = self.blink_lit(&shown);
        // Steady from the first word to the last (the board wakes the picture at both): for
        // people who cannot hear, "this call is being announced now".
        let speaking = shown.speaking(self.now);
        self.current_card(&shown.call, lit, speaking);
    }

    /// The panel without a call: waiting for one, or for the first data.
    fn call_placeholder(&mut self) {
        let cc = &self.layout.current_call;
        let c = self.colors();
        let r = self.panel_region(&cc.region);
        let pad = self.u(self.layout.style.padding);
        self.panel(r, c.panel.0);
        let key = if self.has_data() {
            "no_call"
        } else {
            "connecting"
        };
        let subs = self.subtitles(|w| w.get(key).to_owned());
        let t = self
            .text(self.say(key), r.inset(pad), cc.label_size * 1.2, c.muted.0)
            .align(Align::Center)
            .lines(2)
            .shrink_to(self.u(cc.label_size * 0.7));
        let lines =
            metrics::lines_at(&t.text, t.weight, self.builtin_font(), t.size, t.rect.w).max(1);
        self.text_with_subtitles_under(t, lines.min(2), &subs, c.muted.0);
    }

    /// Whether the card is lit (in the highlight colour) at this moment of its blink; asks to be
    /// woken at the next phase while it blinks.
    pub(super) fn blink_lit(&mut self, shown: &crate::board::Presented) -> bool {
        let elapsed = self.now.duration_since(shown.since);
        // The layout's check keeps flash_seconds within 0–60, but the scene must not depend on
        // it: `from_secs_f32` panics on NaN, infinity and overflow, which would be a crash on
        // every frame. Anything unusable means no blink.
        let flash = SignedDuration::try_from_secs_f32(
            self.layout.current_call.flash_seconds.clamp(0.0, 3600.0),
        )
        .unwrap_or(SignedDuration::ZERO);
        let flashing = shown.fresh && elapsed >= SignedDuration::ZERO && elapsed < flash;
        if flashing {
            let phases = elapsed.as_millis() / BLINK.as_millis() + 1;
            let next_phase = saturating_add(
                shown.since,
                SignedDuration::from_millis((phases * BLINK.as_millis()) as i64),
            );
            self.wake(Some(next_phase));
        }
        flashing && (elapsed.as_millis() / BLINK.as_millis()) % 2 == 0
    }

    /// The card of the call: "Numer → Stanowisko", lit or framed in the highlight colour, with a
    /// speaker mark while the call's words are said.
    fn current_card(&mut self, call: &CallInfo, lit: bool, speaking: bool) {
        let cc = &self.layout.current_call;
        let c = self.colors();
        let r = self.panel_region(&cc.region);
        let pad = self.u(self.layout.style.padding);
        let highlight = if call.recall { c.recall.0 } else { c.accent.0 };
        let on_highlight = if call.recall {
            c.recall_text.0
        } else {
            c.accent_text.0
        };
        let (fill, label, big, number) = if lit {
            (highlight, on_highlight, on_highlight, on_highlight)
        } else {
            (c.panel.0, c.muted.0, c.text.0, highlight)
        };
        self.panel(r, fill);
        if !lit {
            // A highlight-coloured frame keeps the current call the most prominent thing on the
            // board after the blinking stops.
            let radius = self.u(self.layout.style.radius);
            self.list.push(Item::Rect(RectItem {
                rect: r,
                radius,
                fill: Color::rgb(0, 0, 0).with_alpha(0.0),
                border: Some((self.u(0.5), highlight)),
            }));
        }
        let inner = r.inset(pad);
        if speaking {
            // In the bottom right corner, reaching into the padding: the counter's number is
            // centred above it and digits have no descenders, so the corner is free at any size,
            // and away from the labels the mark could be read as part of.
            let h = self.u(cc.label_size * 1.4);
            let items = super::speaker::items(
                inner.right() + pad * 0.4,
                inner.bottom() + pad * 0.4 - h / 2.0,
                h,
                number,
                fill,
            );
            self.list.items.extend(items);
        }
        let key = headline(call);
        let headline = self.say(key);
        let Some(counter) = self.board.data.call_counter_label(call).map(str::to_owned) else {
            self.call_alone(inner, (&headline, key), call, (label, big, number));
            return;
        };
        let counter_word = self.say("counter");
        let subs = [
            self.subtitles(|w| w.get(key).to_owned()),
            self.subtitles(|w| w.get("counter").to_owned()),
        ];
        let g = self.call_group(
            inner,
            &headline,
            &call.ticket,
            &counter,
            &counter_word,
            [&subs[0], &subs[1]],
        );
        for ((text, rect), subs) in [(headline, g.ticket_label), (counter_word, g.counter_label)]
            .into_iter()
            .zip(&subs)
        {
            let t = self
                .text(text, rect, cc.label_size, label)
                .bold()
                .align(Align::Center)
                .valign(VAlign::Top)
                .whole();
            self.text_with_subtitles_under(t, 1, subs, label);
        }
        let mut t = self
            .text(call.ticket.clone(), g.ticket, 1.0, number)
            .bold()
            .align(Align::Center);
        t.size = g.ticket_px;
        self.list.text(t.whole());
        self.list.push(Item::Arrow(ArrowItem {
            rect: g.arrow,
            color: big,
        }));
        let mut t = self
            .text(counter, g.counter, 1.0, big)
            .bold()
            .align(Align::Center);
        t.size = g.counter_px;
        self.list.text(t.whole());
    }

    /// The card of a call that names no counter (a queue system that does not say which desk):
    /// the headline, the ticket as big as the layout's size and the card allow, and the
    /// layout's invitation ("Zapraszamy") under it where the arrow and counter would be.
    fn call_alone(
        &mut self,
        inner: Rect,
        (headline, key): (&str, &'static str),
        call: &CallInfo,
        (label, big, number): (Color, Color, Color),
    ) {
        let cc = &self.layout.current_call;
        // Subtitle mode: the headline's and the invitation's other languages under each, one
        // line apiece at the subtitles' size.
        let head_subs = self.subtitles(|w| w.get(key).to_owned());
        let invite_subs = self.subtitles(|w| w.get("no_counter").to_owned());
        let sub_line = self.u(Self::subtitle_size(cc.label_size)) * LINE_HEIGHT;
        let label_h = self.u(cc.label_size * 1.5) + head_subs.len() as f32 * sub_line;
        let invite_size = cc.label_size * NO_COUNTER_TEXT_SIZE;
        let invite_h = (self.u(invite_size) * LINE_HEIGHT + invite_subs.len() as f32 * sub_line)
            .min(inner.h * 0.3);
        let t = self
            .text(
                headline,
                Rect::new(inner.x, inner.y, inner.w, label_h),
                cc.label_size,
                label,
            )
            .bold()
            .align(Align::Center)
            .valign(VAlign::Top)
            .whole();
        self.text_with_subtitles_under(t, 1, &head_subs, label);
        let big_box = Rect::new(
            inner.x,
            inner.y + label_h,
            inner.w,
            (inner.h - label_h - invite_h).max(0.0),
        );
        let em = metrics::width_em(&call.ticket, Weight::Bold, self.builtin_font());
        let px = self
            .u(cc.ticket_size)
            .min(big_box.h / LINE_HEIGHT)
            .min(big_box.w / em.max(0.1));
        let mut t = self
            .text(call.ticket.clone(), big_box, 1.0, number)
            .bold()
            .align(Align::Center);
        t.size = px;
        self.list.text(t.whole());
        let invite = self.say_or("no_counter", &cc.no_counter_text);
        let t = self
            .text(
                invite,
                Rect::new(inner.x, inner.bottom() - invite_h, inner.w, invite_h),
                invite_size,
                big,
            )
            .bold()
            .align(Align::Center)
            .shrink_to(self.u(cc.label_size));
        self.text_with_subtitles_under(t, 1, &invite_subs, label);
    }

    /// Writes "umówiona" by an earlier booked call's number, in words rather than colour, and
    /// returns the box left for the number: the word goes under the number where the cell's
    /// height has room for it, else beside it where the column has, else the number gives up
    /// the bottom of its box.
    fn booked_word(
        &mut self,
        ticket_box: Rect,
        ticket: &str,
        size: f32,
        bottom: f32,
        right: f32,
    ) -> Rect {
        let c = self.colors();
        let px = self.u(size).min(ticket_box.h / LINE_HEIGHT);
        // Never below the legible size, however small the cell: a mark nobody can read marks
        // nothing. A share of the number where that is larger.
        let legible = self.u(metrics::LEGIBLE_PERCENT);
        let word_px = (px * BOOKED_WORD_SIZE).max(legible);
        let smallest = (word_px * BOOKED_WORD_SMALLEST).max(legible).min(word_px);
        let builtin = self.builtin_font();
        let number_w = metrics::width_em(ticket, Weight::Bold, builtin) * px;
        let booked = self.say(BOOKED_SHORT);
        let word_em = metrics::width_em(&booked, Weight::Bold, builtin);
        let word_h = word_px * LINE_HEIGHT;
        // The number is centred in its box: what its line leaves under it, down to the cell's
        // edge, is free (digits have no descenders).
        let under = ticket_box.bottom() - (ticket_box.y + (ticket_box.h + px * LINE_HEIGHT) / 2.0);
        let free_under = bottom - ticket_box.bottom() + under;
        let beside = right - (ticket_box.x + number_w + px * 0.15);
        let (word, number, valign) =
            if free_under >= smallest * LINE_HEIGHT && word_em * smallest <= ticket_box.w {
                let y = (bottom - word_h).min(ticket_box.bottom() - under * 0.5);
                let word = Rect::new(ticket_box.x, y, ticket_box.w, bottom - y);
                (word, ticket_box, VAlign::Top)
            } else if beside >= word_em * smallest {
                let x = right - beside;
                let word = Rect::new(x, ticket_box.y, beside, ticket_box.h);
                (
                    word,
                    Rect::new(ticket_box.x, ticket_box.y, x - ticket_box.x, ticket_box.h),
                    VAlign::Center,
                )
            } else {
                // A line of its own under the number, which gives up the bottom of its box.
                let line = word_px * LINE_HEIGHT;
                let top_h = (ticket_box.h - line).max(ticket_box.h * BOOKED_NUMBER_SHARE);
                let word = Rect::new(
                    ticket_box.x,
                    ticket_box.y + top_h,
                    ticket_box.w.max(right - ticket_box.x),
                    bottom - ticket_box.y - top_h,
                );
                (
                    word,
                    Rect::new(ticket_box.x, ticket_box.y, ticket_box.w, top_h),
                    VAlign::Top,
                )
            };
        let mut t = self
            .text(booked, word, 1.0, c.muted.0)
            .bold()
            .valign(valign)
            .shrink_to(1.0);
        t.size = word_px;
        t.min_size = smallest;
        self.list.text(t);
        number
    }

    pub(super) fn recent_calls(&mut self) {
        let rc = &self.layout.recent_calls;
        let c = self.colors();
        let r = self.panel_region(&rc.region);
        let pad = self.u(self.layout.style.padding);
        self.panel(r, c.panel.0);
        let inner = r.inset(pad);
        let title_h = self.u(rc.title_size * 1.7);
        let t = self
            .text(
                self.say_or("recent_title", &rc.title),
                Rect::new(inner.x, inner.y, inner.w, title_h),
                rc.title_size,
                c.muted.0,
            )
            .bold()
            .valign(VAlign::Top)
            .shrink_to(self.u(rc.title_size * 0.7));
        let subs = self.subtitles(|w| w.get("recent_title").to_owned());
        self.text_with_subtitles_beside(t, &subs, c.muted.0);
        let calls: Vec<CallInfo> = self
            .board
            .history()
            .take(rc.count as usize)
            .cloned()
            .collect();
        let grid = Rect::new(inner.x, inner.y + title_h, inner.w, inner.h - title_h);
        if calls.is_empty() {
            let t = self
                .text(self.say("no_recent"), grid, rc.title_size, c.muted.0)
                .align(Align::Center)
                .shrink_to(self.u(rc.title_size * 0.6));
            let subs = self.subtitles(|w| w.get("no_recent").to_owned());
            self.text_with_subtitles_under(t, 1, &subs, c.muted.0);
            return;
        }
        let cols = rc.columns.max(1) as usize;
        let rows = (rc.count as usize).div_ceil(cols);
        let gap = self.u(1.0);
        let cell_w = (grid.w - gap * (cols - 1) as f32) / cols as f32;
        let cell_h =
            ((grid.h - gap * (rows - 1) as f32) / rows as f32).min(self.u(rc.ticket_size * 2.2));
        for (i, call) in calls.iter().enumerate() {
            let (row, col) = (i / cols, i % cols);
            let cell = Rect::new(
                grid.x + col as f32 * (cell_w + gap),
                grid.y + row as f32 * (cell_h + gap),
                cell_w,
                cell_h,
            );
            self.call_card(cell, call, rc.ticket_size);
        }
    }

    /// One earlier call: "A016 ▶ 2", a booked visit's with "umówiona" under its number, a call
    /// that names no counter with its number alone.
    fn call_card(&mut self, cell: Rect, call: &CallInfo, size: f32) {
        let c = self.colors();
        self.panel(cell, c.panel_alt.0);
        if call.recall {
            // Not by colour alone: the stripe comes with the recall colour on the ticket too.
            let stripe = Rect::new(cell.x, cell.y, self.u(0.8), cell.h);
            self.panel(stripe, c.recall.0);
        }
        let inner = cell.inset_xy(self.u(1.6), self.u(0.4));
        let ticket_w = inner.w * 0.5;
        let arrow_w = inner.w * 0.16;
        let mut ticket_box = Rect::new(inner.x, inner.y, ticket_w - self.u(0.6), inner.h);
        if call.reservation {
            // Up to just before the arrow, which starts a fifth into its column.
            let right = inner.x + ticket_w + arrow_w * 0.2 - self.u(0.8);
            ticket_box = self.booked_word(ticket_box, &call.ticket, size, cell.bottom(), right);
        }
        let t = self
            .text(
                call.ticket.clone(),
                ticket_box,
                size,
                if call.recall { c.recall.0 } else { c.text.0 },
            )
            .bold()
            .whole();
        self.list.text(t);
        // A call that names no counter is its ticket alone: no arrow pointing at nothing.
        let Some(counter) = self.board.data.call_counter_label(call).map(str::to_owned) else {
            return;
        };
        let ah = (inner.h * 0.3).min(arrow_w * 0.6);
        self.list.push(Item::Arrow(ArrowItem {
            rect: Rect::new(
                inner.x + ticket_w + arrow_w * 0.2,
                inner.y + (inner.h - ah) / 2.0,
                arrow_w * 0.6,
                ah,
            ),
            color: c.muted.0,
        }));
        let cx = inner.x + ticket_w + arrow_w;
        let t = self
            .text(
                counter,
                Rect::new(cx, inner.y, inner.right() - cx, inner.h),
                size,
                c.text.0,
            )
            .bold()
            .align(Align::Center)
            .whole();
        self.list.text(t);
    }
}

/// What the current call's card says over the ticket: a booked visit is named as one, in words,
/// because colour alone tells nothing to those who cannot tell the colours apart. Its key in the
/// word tables.
fn headline(call: &CallInfo) -> &'static str {
    match (call.recall, call.reservation) {
        (false, false) => "call_number",
        (true, false) => "call_recall",
        (false, true) => "call_booked",
        (true, true) => "call_recall_booked",
    }
}

/// The size of the invitation under a call that names no counter, as a multiple of the
/// card's label size: it stands where the counter would, so it is more than a label.
const NO_COUNTER_TEXT_SIZE: f32 = 1.6;

/// The word under a booked visit's number in the list of earlier calls ("umówiona"), by its key
/// in the word tables.
const BOOKED_SHORT: &str = "booked_short";

/// The size of "umówiona" as a share of the number's.
const BOOKED_WORD_SIZE: f32 = 0.34;

/// How far "umówiona" may shrink to keep under or beside its number.
const BOOKED_WORD_SMALLEST: f32 = 0.65;

/// The share of an earlier booked call's ticket box that its number keeps when there is no
/// room under or beside it.
const BOOKED_NUMBER_SHARE: f32 = 0.7;
