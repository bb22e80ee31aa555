//! The display over one counter (ekran stanowiskowy): which desk this is, which ticket it is
//! serving, for which service, and whether it is open. A resident walking up reads it to know
//! they are at the right desk, so the ticket is as big as the screen allows and the state is
//! said in words, never by colour alone.

use super::SceneBuilder;
use crate::scene::display::*;

/// What the counter is doing, as the display says it.
#[derive(Debug, Clone, PartialEq)]
enum CounterState {
    /// Closed, or unknown to the queue system.
    Closed,
    /// Open and serving this ticket of this service; `recall` when it was last called again.
    Serving {
        ticket: String,
        service: String,
        recall: bool,
        /// A booked visit (`reservation` on its call).
        booked: bool,
    },
    /// Open, between residents; the ticket it served last, if any.
    Waiting { last: Option<String> },
}

impl SceneBuilder<'_> {
    /// The whole screen of a counter display for counter `id`.
    pub(super) fn counter_display(&mut self, name: &str) {
        let id = self
            .board
            .data
            .counter_by_id_or_label(name)
            .map_or(name, |c| c.id.as_str());
        let cp = &self.layout.counter;
        let c = self.colors();
        let r = self.region(&cp.region);
        let pad = self.u(self.layout.style.padding);
        let state = self.counter_state(id);
        // A new call to this counter blinks as on the main board; afterwards the frame stays in
        // the highlight colour while the counter serves it.
        let shown = self
            .board
            .presenter
            .current()
            .filter(|s| s.call.counter.as_deref() == Some(id))
            .cloned();
        let lit = match &shown {
            Some(s) => self.blink_lit(s),
            None => false,
        };
        let highlight = match &state {
            CounterState::Serving { recall: true, .. } => c.recall.0,
            _ => c.accent.0,
        };
        let on_highlight = match &state {
            CounterState::Serving { recall: true, .. } => c.recall_text.0,
            _ => c.accent_text.0,
        };
        let serving = matches!(state, CounterState::Serving { .. });
        let (fill, text, muted, number) = if lit {
            (highlight, on_highlight, on_highlight, on_highlight)
        } else {
            (c.panel.0, c.text.0, c.muted.0, highlight)
        };
        self.panel(r, fill);
        if serving && !lit {
            let radius = self.u(self.layout.style.radius);
            self.list.push(Item::Rect(RectItem {
                rect: r,
                radius,
                fill: Color::rgb(0, 0, 0).with_alpha(0.0),
                border: Some((self.u(0.6), highlight)),
            }));
        }
        let mut inner = r.inset(pad);
        // A bar display (1920×480, 1280×400) reads left to right; anything squarer top down. Told
        // by the panel's shape, before any room is taken for the offline band.
        let bar = inner.w > inner.h * 2.2;
        // Offline, a band across the bottom says so; the rest keeps its place above it.
        let band_h = (r.h * 0.16).max(self.u(cp.service_size * 1.6));
        let stale = self.stale();
        if stale {
            inner.h = (inner.h - band_h).max(0.0);
        }
        let label = match self.board.data.counter(id) {
            Some(counter) => counter.label.clone(),
            None => id.to_owned(),
        };
        let heading = format!("{} {}", self.say_or("counter", &cp.title), label)
            .trim()
            .to_owned();
        let (head_r, main_r, foot_r) = if bar {
            let head_w = inner.w * 0.30;
            let foot_w = inner.w * 0.30;
            (
                Rect::new(inner.x, inner.y, head_w, inner.h),
                Rect::new(
                    inner.x + head_w,
                    inner.y,
                    inner.w - head_w - foot_w,
                    inner.h,
                ),
                Rect::new(inner.right() - foot_w, inner.y, foot_w, inner.h),
            )
        } else {
            let head_h = inner.h * 0.22;
            let foot_h = inner.h * 0.26;
            (
                Rect::new(inner.x, inner.y, inner.w, head_h),
                Rect::new(
                    inner.x,
                    inner.y + head_h,
                    inner.w,
                    inner.h - head_h - foot_h,
                ),
                Rect::new(inner.x, inner.bottom() - foot_h, inner.w, foot_h),
            )
        };
        let t = self
            .text(heading, head_r, cp.label_size, text)
            .bold()
            .align(Align::Center)
            .whole();
        self.list.text(t);
        match &state {
            CounterState::Serving {
                ticket, service, ..
            } => {
                let t = self
                    .text(ticket.clone(), main_r, cp.ticket_size, number)
                    .bold()
                    .align(Align::Center)
                    .whole();
                self.list.text(t);
                let name = self
                    .board
                    .data
                    .service(service)
                    .map_or_else(|| service.clone(), |s| s.name.clone());
                // While the call is new the display says what it means, in words (a recall
                // must not be told by its colour alone), above the service's name.
                let fresh = shown.as_ref().is_some_and(|s| s.call.ticket == *ticket);
                let recall = matches!(state, CounterState::Serving { recall: true, .. });
                let booked = matches!(state, CounterState::Serving { booked: true, .. });
                let state_h = foot_r.h * 0.45;
                let state_r = Rect::new(foot_r.x, foot_r.y, foot_r.w, state_h);
                let name_r = Rect::new(foot_r.x, foot_r.y + state_h, foot_r.w, foot_r.h - state_h);
                if fresh {
                    let words = if recall {
                        self.say_or("recall", &cp.recall_text)
                    } else {
                        self.say_or("serving", &cp.serving_text)
                    };
                    // A booked visit says so here as on the board, in words.
                    let words = if booked {
                        format!("{words} · {}", self.say("booked_visit"))
                    } else {
                        words
                    };
                    let t = self
                        .text(words, state_r, cp.service_size, text)
                        .bold()
                        .align(Align::Center)
                        .shrink_to(self.u(cp.service_size * 0.6));
                    self.list.text(t);
                }
                let t = self
                    .text(
                        name,
                        if fresh { name_r } else { foot_r },
                        cp.service_size,
                        muted,
                    )
                    .align(Align::Center)
                    .lines(2)
                    .shrink_to(self.u(cp.service_size * 0.6));
                self.list.text(t);
            }
            CounterState::Waiting { last } => {
                let t = self
                    .text(
                        self.say_or("counter_waiting", &cp.waiting_text),
                        main_r,
                        cp.service_size * 1.6,
                        text,
                    )
                    .bold()
                    .align(Align::Center)
                    .lines(2)
                    .shrink_to(self.u(cp.service_size * 0.8));
                self.list.text(t);
                if let Some(last) = last {
                    let t = self
                        .text(
                            self.words().fill("last_number", &[("ticket", last)]),
                            foot_r,
                            cp.service_size,
                            muted,
                        )
                        .align(Align::Center)
                        .shrink_to(self.u(cp.service_size * 0.6));
                    self.list.text(t);
                }
            }
            CounterState::Closed => {
                let words = if self.has_data() {
                    self.say_or("counter_closed", &cp.closed_text)
                } else {
                    self.say("connecting")
                };
                let t = self
                    .text(words, main_r, cp.service_size * 1.6, muted)
                    .bold()
                    .align(Align::Center)
                    .lines(2)
                    .shrink_to(self.u(cp.service_size * 0.8));
                self.list.text(t);
            }
        }
        if shown.as_ref().is_some_and(|s| s.speaking(self.now)) {
            // With sound on (`counter_sound`), the call's words are marked as on the board, in
            // the panel's bottom right corner, for people who cannot hear them.
            let h = self.u(cp.label_size * 0.9);
            let items = super::speaker::items(
                r.right() - pad * 0.6,
                r.bottom() - pad * 0.6 - h / 2.0,
                h,
                number,
                fill,
            );
            self.list.items.extend(items);
        }
        if stale {
            // Dimmed, not hidden (the resident at the desk may still need the number), with the
            // reason in words on the alert colour across the bottom.
            let veil = c.background.0.with_alpha(super::STALE_VEIL);
            let radius = self.u(self.layout.style.radius);
            self.list.rect(r, radius, veil);
            let band = Rect::new(r.x, r.bottom() - band_h, r.w, band_h);
            self.list.rect(band, radius, c.alert.0);
            let t = self
                .text(
                    self.say("offline"),
                    band.inset(self.u(1.0)),
                    cp.service_size,
                    c.alert_text.0,
                )
                .bold()
                .align(Align::Center)
                .shrink_to(self.u(cp.service_size * 0.5));
            self.list.text(t);
        }
    }

    /// The counter's state from the board: who it serves, else what it last called, else
    /// whether it is open.
    fn counter_state(&self, id: &str) -> CounterState {
        let Some(counter) = self.board.data.counter(id) else {
            return CounterState::Closed;
        };
        if !counter.open {
            return CounterState::Closed;
        }
        let last_call = self
            .board
            .data
            .recent_calls
            .iter()
            .find(|c| c.counter.as_deref() == Some(id));
        if let Some(serving) = &counter.serving {
            let this = last_call.filter(|c| c.ticket == serving.ticket);
            return CounterState::Serving {
                ticket: serving.ticket.clone(),
                service: serving.service.clone(),
                recall: this.is_some_and(|c| c.recall),
                booked: this.is_some_and(|c| c.reservation),
            };
        }
        CounterState::Waiting {
            last: last_call.map(|c| c.ticket.clone()),
        }
    }
}
