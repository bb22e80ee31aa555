//! The board as a display list: a pure function of (board state, layout, status, time, size).

use super::display::*;
use super::hours::OpeningHours;
use super::polish;
use crate::board::{Board, Wait, add};
use crate::layout::{Layout, Region};
use crate::protocol::time::in_warsaw;
use crate::protocol::{CallInfo, ServiceInfo};
use jiff::{SignedDuration, Timestamp, ZonedDateTime};

/// How the display is fed, as far as the picture is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// Connected to the queue system.
    Connected,
    /// Trying to (re)connect.
    Connecting,
    /// Rendering recorded events (`tablica render`): only the age of the data counts.
    #[default]
    Replay,
}

/// How the screen looks while the service point is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClosedLook {
    /// The closed screen with the opening hours.
    #[default]
    Normal,
    /// The closed screen, dimmed: kinder to the panel and to the hall at night.
    Dim,
    /// Black: an LCD shows black with its backlight on, but nothing burns in and a black screen
    /// draws least power where the monitor cannot be switched off from the board.
    Black,
}

/// What the picture needs besides the board and the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub link: Link,
    pub hours: OpeningHours,
    pub closed_look: ClosedLook,
    /// Data older than this shows the "no connection" banner.
    pub stale_after: SignedDuration,
    /// Problems to show on screen until they are fixed (e.g. a broken layout file).
    pub notices: Vec<String>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            link: Link::Replay,
            hours: OpeningHours::default(),
            closed_look: ClosedLook::Normal,
            stale_after: SignedDuration::from_secs(30),
            notices: Vec::new(),
        }
    }
}

/// Whether the board shows the "no connection" banner: its data is too old, or the link is down
/// after data had come.
pub fn is_stale(board: &Board, status: &Status, now: Timestamp) -> bool {
    let old = board
        .data_age(now)
        .is_some_and(|age| age > status.stale_after);
    let has_data = board.data.last_seq.is_some() || board.data.office.is_some();
    old || (status.link == Link::Connecting && has_data)
}

/// A frame's display list and when the picture will next change by itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub list: DisplayList,
    pub next_change: Option<Timestamp>,
}

/// After closing time the board stays up while calls still happen (the last residents are being
/// served); it switches to the closed screen once no call has come for this long.
const CLOSED_AFTER_QUIET: SignedDuration = SignedDuration::from_mins(15);
/// How fast a new call blinks: half a second on, half a second off.
const BLINK: SignedDuration = SignedDuration::from_millis(500);

pub fn build(
    board: &Board,
    layout: &Layout,
    status: &Status,
    now: Timestamp,
    width: u32,
    height: u32,
) -> Scene {
    let mut f = Frame {
        w: width.max(1) as f32,
        h: height.max(1) as f32,
        unit: width.max(1).min(height.max(1)) as f32 / 100.0,
        layout,
        board,
        status,
        now,
        local: in_warsaw(now),
        list: DisplayList::new(width, height, layout.colors.background.0),
        next: None,
    };
    // The clock changes every minute.
    let next_minute = Timestamp::from_second((now.as_second().div_euclid(60) + 1) * 60).ok();
    f.wake(next_minute);
    let stale_at = f.stale_at();
    f.wake(stale_at);
    // The next queued call's turn and the end of a blink change the picture too.
    f.wake(board.next_deadline(now));
    let closed = f.closed();
    if closed && status.closed_look == ClosedLook::Black {
        f.list.clear = Color::rgb(0, 0, 0);
        return Scene {
            list: f.list,
            next_change: f.next,
        };
    }
    f.background();
    f.header();
    if closed {
        f.closed_screen();
        if status.closed_look == ClosedLook::Dim {
            let (w, h) = (f.w, f.h);
            f.list.rect(
                Rect::new(0.0, 0.0, w, h),
                0.0,
                Color::rgb(0, 0, 0).with_alpha(0.7),
            );
        }
    } else {
        f.current_call();
        f.recent_calls();
        f.services();
        f.footer();
    }
    f.notices();
    Scene {
        list: f.list,
        next_change: f.next,
    }
}

struct Frame<'a> {
    w: f32,
    h: f32,
    /// One percent of the shorter side, in pixels.
    unit: f32,
    layout: &'a Layout,
    board: &'a Board,
    status: &'a Status,
    now: Timestamp,
    local: ZonedDateTime,
    list: DisplayList,
    next: Option<Timestamp>,
}

impl Frame<'_> {
    fn u(&self, v: f32) -> f32 {
        v * self.unit
    }

    fn region(&self, r: &Region) -> Rect {
        let [x, y, w, h] = *r.get_ref();
        Rect::new(
            (x / 100.0 * self.w).round(),
            (y / 100.0 * self.h).round(),
            (w / 100.0 * self.w).round(),
            (h / 100.0 * self.h).round(),
        )
    }

    fn wake(&mut self, t: Option<Timestamp>) {
        if let Some(t) = t.filter(|t| *t > self.now) {
            self.next = Some(self.next.map_or(t, |n| n.min(t)));
        }
    }

    fn colors(&self) -> &crate::layout::Colors {
        &self.layout.colors
    }

    fn family(&self) -> Option<std::sync::Arc<str>> {
        let f = self.layout.style.font.trim();
        (!f.is_empty()).then(|| f.into())
    }

    fn text(&self, text: impl Into<String>, rect: Rect, size: f32, color: Color) -> TextItem {
        TextItem::new(text, rect, self.u(size), color).family(self.family())
    }

    fn panel(&mut self, rect: Rect, fill: Color) {
        let radius = self.u(self.layout.style.radius);
        let border = self.layout.style.border;
        self.list.push(Item::Rect(RectItem {
            rect,
            radius,
            fill,
            border: (border > 0.0).then(|| (self.u(border), self.layout.colors.border.0)),
        }));
    }

    fn has_data(&self) -> bool {
        self.board.data.last_seq.is_some() || self.board.data.office.is_some()
    }

    /// When the data will be old enough for the "no connection" banner.
    fn stale_at(&self) -> Option<Timestamp> {
        self.board.last_heard.map(|t| {
            let after = self.status.stale_after;
            add(
                t,
                after
                    .checked_add(SignedDuration::from_millis(1))
                    .unwrap_or(after),
            )
        })
    }

    fn stale(&self) -> bool {
        is_stale(self.board, self.status, self.now)
    }

    fn closed(&self) -> bool {
        if self.status.hours.is_open(&self.local) {
            return false;
        }
        // By the display's own clock when it saw the call arrive; a snapshot's calls only carry
        // the server's, which may run ahead or behind.
        let last_call = self
            .board
            .last_call_at
            .or_else(|| self.board.data.recent_calls.front().map(|c| c.time));
        let recently_busy = last_call.is_some_and(|t| {
            let quiet = self.now.duration_since(t);
            quiet >= SignedDuration::ZERO && quiet < CLOSED_AFTER_QUIET
        });
        !recently_busy
    }

    fn background(&mut self) {
        if let Some(path) = &self.layout.style.background_image {
            let path = self.layout.asset(path);
            self.list.push(Item::Image(ImageItem {
                rect: Rect::new(0.0, 0.0, self.w, self.h),
                path,
                fit: ImageFit::Cover,
                opacity: 1.0,
            }));
        }
    }

    fn header(&mut self) {
        let hd = &self.layout.header;
        let r = self.region(&hd.region);
        let mut left = r.x;
        if let Some(logo) = &hd.logo {
            let size = r.h;
            self.list.push(Item::Image(ImageItem {
                rect: Rect::new(r.x, r.y, size * 1.6, size),
                path: self.layout.asset(logo),
                fit: ImageFit::Contain,
                opacity: 1.0,
            }));
            left += size * 1.6 + self.u(1.5);
        }
        let c = self.colors().clone();
        let split = 0.58;
        let title_w = (r.right() - left) * 0.66;
        let title = self
            .text(
                hd.title.clone(),
                Rect::new(left, r.y, title_w, r.h * split),
                hd.title_size,
                c.text.0,
            )
            .bold()
            .shrink_to(self.u(hd.title_size * 0.6));
        self.list.text(title);
        let office = self
            .board
            .data
            .office
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let office = self
            .text(
                office,
                Rect::new(left, r.y + r.h * split, title_w, r.h * (1.0 - split)),
                hd.office_size,
                c.muted.0,
            )
            .shrink_to(self.u(hd.office_size * 0.7));
        self.list.text(office);
        let right_w = (r.right() - left) * 0.34;
        let right_x = r.right() - right_w;
        let clock = self
            .text(
                polish::clock(&self.local),
                Rect::new(right_x, r.y, right_w, r.h * 0.62),
                hd.clock_size,
                c.text.0,
            )
            .bold()
            .align(Align::Right)
            .shrink_to(self.u(hd.clock_size * 0.6));
        self.list.text(clock);
        let date = self
            .text(
                polish::date(&self.local),
                Rect::new(right_x, r.y + r.h * 0.62, right_w, r.h * 0.38),
                hd.date_size,
                c.muted.0,
            )
            .align(Align::Right)
            .shrink_to(self.u(hd.date_size * 0.7));
        self.list.text(date);
    }

    fn current_call(&mut self) {
        let cc = self.layout.current_call.clone();
        let c = self.colors().clone();
        let r = self.region(&cc.region);
        let pad = self.u(self.layout.style.padding);
        let Some(shown) = self.board.presenter.current().cloned() else {
            self.panel(r, c.panel.0);
            let message = if self.has_data() {
                "Prosimy oczekiwać na wywołanie numeru"
            } else {
                "Łączenie z systemem kolejkowym…"
            };
            let t = self
                .text(message, r.inset(pad), cc.label_size * 1.2, c.muted.0)
                .align(Align::Center)
                .lines(2)
                .shrink_to(self.u(cc.label_size * 0.7));
            self.list.text(t);
            return;
        };
        let call = &shown.call;
        let highlight = if call.recall { c.recall.0 } else { c.accent.0 };
        let on_highlight = if call.recall {
            c.recall_text.0
        } else {
            c.accent_text.0
        };
        let elapsed = self.now.duration_since(shown.since);
        let flash = SignedDuration::from_secs_f32(cc.flash_seconds.max(0.0));
        let flashing = shown.fresh && elapsed >= SignedDuration::ZERO && elapsed < flash;
        let lit = flashing && (elapsed.as_millis() / BLINK.as_millis()) % 2 == 0;
        if flashing {
            let phases = elapsed.as_millis() / BLINK.as_millis() + 1;
            let next_phase = add(
                shown.since,
                SignedDuration::from_millis((phases * BLINK.as_millis()) as i64),
            );
            self.wake(Some(next_phase));
        }
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
        let label_h = self.u(cc.label_size * 1.5);
        let ticket_w = inner.w * 0.50;
        let arrow_w = inner.w * 0.14;
        let counter_x = inner.x + ticket_w + arrow_w;
        let counter_w = inner.right() - counter_x;
        let big_y = inner.y + label_h;
        let big_h = inner.h - label_h;
        let headline = if call.recall {
            "Ponowne wezwanie — numer"
        } else {
            "Numer"
        };
        let t = self
            .text(
                headline,
                Rect::new(inner.x, inner.y, ticket_w + arrow_w, label_h),
                cc.label_size,
                label,
            )
            .bold()
            .valign(VAlign::Top)
            .shrink_to(self.u(cc.label_size * 0.6));
        self.list.text(t);
        let t = self
            .text(
                "Stanowisko",
                Rect::new(counter_x, inner.y, counter_w, label_h),
                cc.label_size,
                label,
            )
            .bold()
            .align(Align::Center)
            .valign(VAlign::Top)
            .shrink_to(self.u(cc.label_size * 0.6));
        self.list.text(t);
        let t = self
            .text(
                call.ticket.clone(),
                Rect::new(inner.x, big_y, ticket_w, big_h),
                cc.ticket_size,
                number,
            )
            .bold()
            .shrink_to(self.u(cc.ticket_size * 0.35));
        self.list.text(t);
        let arrow_h = (big_h * 0.34).min(arrow_w * 0.8);
        self.list.push(Item::Arrow(ArrowItem {
            rect: Rect::new(
                inner.x + ticket_w + arrow_w * 0.12,
                big_y + (big_h - arrow_h) / 2.0,
                arrow_w * 0.76,
                arrow_h,
            ),
            color: big,
        }));
        let counter = self.board.data.counter_label(&call.counter).to_owned();
        let t = self
            .text(
                counter,
                Rect::new(counter_x, big_y, counter_w, big_h),
                cc.counter_size,
                big,
            )
            .bold()
            .align(Align::Center)
            .shrink_to(self.u(cc.counter_size * 0.35));
        self.list.text(t);
    }

    fn recent_calls(&mut self) {
        let rc = self.layout.recent_calls.clone();
        let c = self.colors().clone();
        let r = self.region(&rc.region);
        let pad = self.u(self.layout.style.padding);
        self.panel(r, c.panel.0);
        let inner = r.inset(pad);
        let title_h = self.u(rc.title_size * 1.7);
        let t = self
            .text(
                rc.title.clone(),
                Rect::new(inner.x, inner.y, inner.w, title_h),
                rc.title_size,
                c.muted.0,
            )
            .bold()
            .valign(VAlign::Top)
            .shrink_to(self.u(rc.title_size * 0.7));
        self.list.text(t);
        let calls: Vec<CallInfo> = self
            .board
            .history()
            .take(rc.count as usize)
            .cloned()
            .collect();
        let grid = Rect::new(inner.x, inner.y + title_h, inner.w, inner.h - title_h);
        if calls.is_empty() {
            let t = self
                .text(
                    "Brak wcześniejszych wywołań",
                    grid,
                    rc.title_size,
                    c.muted.0,
                )
                .align(Align::Center)
                .shrink_to(self.u(rc.title_size * 0.6));
            self.list.text(t);
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

    /// One earlier call: "A016 ▶ 2".
    fn call_card(&mut self, cell: Rect, call: &CallInfo, size: f32) {
        let c = self.colors().clone();
        self.panel(cell, c.panel_alt.0);
        if call.recall {
            // Not by colour alone: the stripe comes with the recall colour on the ticket too.
            let stripe = Rect::new(cell.x, cell.y, self.u(0.8), cell.h);
            self.panel(stripe, c.recall.0);
        }
        let inner = cell.inset_xy(self.u(1.6), self.u(0.4));
        let ticket_w = inner.w * 0.5;
        let arrow_w = inner.w * 0.16;
        let t = self
            .text(
                call.ticket.clone(),
                Rect::new(inner.x, inner.y, ticket_w - self.u(0.6), inner.h),
                size,
                if call.recall { c.recall.0 } else { c.text.0 },
            )
            .bold()
            .shrink_to(self.u(size * 0.5));
        self.list.text(t);
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
        let counter = self.board.data.counter_label(&call.counter).to_owned();
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
            .shrink_to(self.u(size * 0.5));
        self.list.text(t);
    }

    /// Services to list: all of them, or the busiest `max` in the server's order.
    fn listed_services(&self, max: usize) -> Vec<&ServiceInfo> {
        let all = &self.board.data.services;
        if all.len() <= max {
            return all.iter().collect();
        }
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(all[i].waiting));
        order.truncate(max);
        order.sort_unstable();
        order.into_iter().map(|i| &all[i]).collect()
    }

    fn services(&mut self) {
        let sv = self.layout.services.clone();
        let c = self.colors().clone();
        let r = self.region(&sv.region);
        let pad = self.u(self.layout.style.padding);
        self.panel(r, c.panel.0);
        let inner = r.inset(pad);
        // A wide panel (portrait screens) gives each service one line with columns; a narrow one
        // puts who waits and for how long on two short lines at the right.
        let wide = inner.w >= self.u(70.0);
        let title_h = self.u(sv.title_size * 1.7);
        let cols = ServiceColumns::new(inner, wide);
        let t = self
            .text(
                sv.title.clone(),
                Rect::new(inner.x, inner.y, cols.name_w(inner), title_h),
                sv.title_size,
                c.muted.0,
            )
            .bold()
            .valign(VAlign::Top)
            .shrink_to(self.u(sv.title_size * 0.7));
        self.list.text(t);
        let heading = sv.title_size * 0.8;
        let headings: Vec<(&str, Rect)> = if wide {
            vec![("Czeka", cols.people), ("Szacowany czas", cols.wait)]
        } else {
            vec![("Czeka / czas", cols.people)]
        };
        for (label, col) in headings {
            let t = self
                .text(
                    label,
                    Rect::new(col.x, inner.y, col.w, title_h),
                    heading,
                    c.muted.0,
                )
                .align(Align::Right)
                .valign(VAlign::Top)
                .shrink_to(self.u(heading * 0.6));
            self.list.text(t);
        }
        let services: Vec<ServiceInfo> = self
            .listed_services(sv.max_rows as usize)
            .into_iter()
            .cloned()
            .collect();
        let list = Rect::new(inner.x, inner.y + title_h, inner.w, inner.h - title_h);
        if services.is_empty() {
            let message = if self.has_data() {
                "Brak danych o kolejkach"
            } else {
                "Oczekiwanie na dane…"
            };
            let t = self
                .text(message, list, sv.name_size, c.muted.0)
                .align(Align::Center)
                .shrink_to(self.u(sv.name_size * 0.6));
            self.list.text(t);
            return;
        }
        let gap = self.u(0.5);
        let n = services.len() as f32;
        let natural = if wide {
            self.u(sv.name_size.max(sv.detail_size) * 1.8)
        } else {
            self.u((sv.name_size * 1.7).max(sv.detail_size * 2.5))
        };
        let row_h = ((list.h - gap * (n - 1.0)) / n).min(natural);
        // Type shrinks with the rows when many services must fit.
        let scale = (row_h / natural).min(1.0);
        for (i, s) in services.iter().enumerate() {
            let row = Rect::new(list.x, list.y + i as f32 * (row_h + gap), list.w, row_h);
            let cols = ServiceColumns::new(row, wide);
            self.service_row(row, &cols, s, scale, i % 2 == 1);
        }
    }

    fn service_row(
        &mut self,
        row: Rect,
        cols: &ServiceColumns,
        s: &ServiceInfo,
        scale: f32,
        alt: bool,
    ) {
        let sv = self.layout.services.clone();
        let c = self.colors().clone();
        self.panel(row, if alt { c.panel_alt.0 } else { c.panel.0 });
        let inner = row.inset_xy(self.u(1.0), self.u(0.3) * scale);
        let badge = inner.h.min(self.u(sv.name_size * 1.5 * scale));
        let badge_rect = Rect::new(inner.x, inner.y + (inner.h - badge) / 2.0, badge, badge);
        self.list.rect(badge_rect, badge * 0.18, c.accent.0);
        let t = self
            .text(
                s.prefix.clone(),
                badge_rect,
                sv.name_size * scale,
                c.accent_text.0,
            )
            .bold()
            .align(Align::Center)
            .shrink_to(self.u(sv.name_size * scale * 0.5));
        self.list.text(t);
        let name_x = badge_rect.right() + self.u(1.2);
        let name_w = cols.name_w(row) - (name_x - row.x) - self.u(1.0);
        let t = self
            .text(
                s.name.clone(),
                Rect::new(name_x, inner.y, name_w.max(0.0), inner.h),
                sv.name_size * scale,
                c.text.0,
            )
            .bold()
            .lines(2)
            .shrink_to(self.u(sv.name_size * scale * 0.72));
        self.list.text(t);
        let (people, wait) = self.service_words(s);
        let size = sv.detail_size * scale;
        let (people_rect, wait_rect, people_v, wait_v) = if cols.wide {
            (
                Rect::new(cols.people.x, inner.y, cols.people.w, inner.h),
                Rect::new(cols.wait.x, inner.y, cols.wait.w, inner.h),
                VAlign::Center,
                VAlign::Center,
            )
        } else {
            let half = inner.h * 0.5;
            (
                Rect::new(cols.people.x, inner.y, cols.people.w, half),
                Rect::new(cols.people.x, inner.y + half, cols.people.w, half),
                VAlign::Bottom,
                VAlign::Top,
            )
        };
        let t = self
            .text(people, people_rect, size, c.text.0)
            .bold()
            .align(Align::Right)
            .valign(people_v)
            .shrink_to(self.u(size * 0.6));
        self.list.text(t);
        let t = self
            .text(wait, wait_rect, size, c.muted.0)
            .align(Align::Right)
            .valign(wait_v)
            .shrink_to(self.u(size * 0.6));
        self.list.text(t);
    }

    /// The two lines about a service's queue: who waits and for how long.
    fn service_words(&self, s: &ServiceInfo) -> (String, String) {
        let open = if self.board.data.counters.is_empty() {
            s.open_counters
        } else {
            self.board.data.open_counters_for(&s.id)
        };
        let people = if s.waiting == 0 {
            "brak kolejki".to_owned()
        } else {
            polish::people(s.waiting)
        };
        let wait = match self.board.wait(s) {
            _ if open == 0 && s.est_wait_s.is_none() => "stanowiska zamknięte".to_owned(),
            Wait::NoQueue => "od razu".to_owned(),
            Wait::About { seconds, .. } => polish::wait(seconds),
            Wait::Unknown => "czas nieznany".to_owned(),
        };
        (people, wait)
    }

    fn footer(&mut self) {
        let ft = self.layout.footer.clone();
        let c = self.colors().clone();
        let r = self.region(&ft.region);
        if self.stale() {
            self.offline_banner(r);
            return;
        }
        let announcements = &self.board.data.announcements;
        let text = if announcements.is_empty() {
            format!(
                "Godziny otwarcia: {}",
                self.status.hours.describe().join(", ")
            )
        } else {
            let period = (ft.rotate_seconds.max(1.0) * 1000.0) as i64;
            let ms = self.now.as_millisecond();
            let index = (ms.div_euclid(period) as usize) % announcements.len();
            if announcements.len() > 1 {
                let next = Timestamp::from_millisecond((ms.div_euclid(period) + 1) * period).ok();
                self.wake(next);
            }
            announcements[index].text.clone()
        };
        self.panel(r, c.panel.0);
        let t = self
            .text(
                text,
                r.inset_xy(self.u(1.5), self.u(0.3)),
                ft.text_size,
                c.text.0,
            )
            .align(Align::Center)
            .lines(2)
            .shrink_to(self.u(ft.text_size * 0.6));
        self.list.text(t);
    }

    fn offline_banner(&mut self, r: Rect) {
        let c = self.colors().clone();
        let size = self.layout.footer.text_size;
        self.panel(r, c.alert.0);
        let since = match self.board.last_heard {
            Some(t) => {
                let z = in_warsaw(t);
                if z.date() == self.local.date() {
                    format!(" — dane z {}", polish::clock(&z))
                } else {
                    format!(
                        " — dane z {} {}, {}",
                        z.day(),
                        polish::MONTHS_GENITIVE[(z.month() - 1) as usize],
                        polish::clock(&z)
                    )
                }
            }
            None => String::new(),
        };
        let t = self
            .text(
                format!("Brak połączenia z systemem kolejkowym{since}"),
                r.inset_xy(self.u(1.5), self.u(0.3)),
                size,
                c.alert_text.0,
            )
            .bold()
            .align(Align::Center)
            .shrink_to(self.u(size * 0.6));
        self.list.text(t);
    }

    fn closed_screen(&mut self) {
        let c = self.colors().clone();
        let top = self.region(&self.layout.header.region).bottom() + self.u(2.0);
        let margin = self.u(4.0);
        let r = Rect::new(margin, top, self.w - 2.0 * margin, self.h - top - margin);
        self.panel(r, c.panel.0);
        let inner = r.inset(self.u(4.0));
        let lines = self.status.hours.describe();
        let big = self.layout.current_call.label_size * 2.2;
        let body = self.layout.current_call.label_size * 1.2;
        let hours = if lines.is_empty() {
            "Punkt jest tymczasowo zamknięty".to_owned()
        } else {
            lines.join("\n")
        };
        let block = [
            ("Punkt jest teraz nieczynny", big, c.text.0, true, 0.30),
            (
                "Zapraszamy w godzinach otwarcia:",
                body,
                c.muted.0,
                false,
                0.16,
            ),
            (hours.as_str(), body * 1.15, c.accent.0, true, 0.34),
        ];
        let mut y = inner.y + inner.h * 0.1;
        for (text, size, color, bold, share) in block {
            let h = inner.h * share;
            let mut t = self
                .text(text, Rect::new(inner.x, y, inner.w, h), size, color)
                .align(Align::Center)
                .lines(7)
                .shrink_to(self.u(size * 0.5));
            if bold {
                t = t.bold();
            }
            self.list.text(t);
            y += h;
        }
        if self.stale() {
            let ft = self.region(&self.layout.footer.region);
            self.offline_banner(ft);
        }
    }

    /// Problems the staff must see (a broken layout file), as a card over everything.
    fn notices(&mut self) {
        if self.status.notices.is_empty() {
            return;
        }
        let c = self.colors().clone();
        let text = self.status.notices.join("\n");
        let w = self.w * 0.5;
        let h = self.u(16.0).min(self.h * 0.3);
        let r = Rect::new(self.w - w - self.u(2.0), self.h - h - self.u(9.0), w, h);
        self.list.push(Item::Rect(RectItem {
            rect: r,
            radius: self.u(1.0),
            fill: Color::rgb(0x20, 0x08, 0x08).with_alpha(0.94),
            border: Some((self.u(0.4), c.alert.0)),
        }));
        let inner = r.inset(self.u(1.5));
        let title_h = self.u(3.2);
        let t = self
            .text(
                "Błąd pliku układu — pokazuję poprzedni układ",
                Rect::new(inner.x, inner.y, inner.w, title_h),
                2.4,
                Color::rgb(0xFF, 0xB4, 0xAB),
            )
            .bold()
            .valign(VAlign::Top)
            .shrink_to(self.u(1.4));
        self.list.text(t);
        let t = self
            .text(
                text,
                Rect::new(inner.x, inner.y + title_h, inner.w, inner.h - title_h),
                1.9,
                Color::rgb(0xFF, 0xFF, 0xFF),
            )
            .valign(VAlign::Top)
            .lines(5)
            .shrink_to(self.u(1.2));
        self.list.text(t);
    }
}

/// Where the columns of the services list sit within a panel or row.
struct ServiceColumns {
    wide: bool,
    /// "3 osoby" (in narrow mode: both lines of details).
    people: Rect,
    /// "ok. 15 minut" (wide mode only).
    wait: Rect,
}

impl ServiceColumns {
    fn new(r: Rect, wide: bool) -> Self {
        let pad = r.w * 0.015;
        if wide {
            let wait_w = r.w * 0.25;
            let people_w = r.w * 0.18;
            let wait = Rect::new(r.right() - pad - wait_w, r.y, wait_w, r.h);
            let people = Rect::new(wait.x - people_w - pad, r.y, people_w, r.h);
            ServiceColumns { wide, people, wait }
        } else {
            let w = r.w * 0.34;
            let people = Rect::new(r.right() - pad - w, r.y, w, r.h);
            ServiceColumns {
                wide,
                people,
                wait: people,
            }
        }
    }

    /// Width left for the badge and the service name, from the left edge of `r`.
    fn name_w(&self, r: Rect) -> f32 {
        (self.people.x - r.x).max(0.0)
    }
}
