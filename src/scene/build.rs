//! The board as a display list: a pure function of (board state, layout, status, time, size).

use super::display::*;
use super::hours::OpeningHours;
use super::polish;
use crate::board::Board;
use crate::layout::{Layout, LogoAlign, Region};
use crate::protocol::time::in_warsaw;
use crate::protocol::time::saturating_add;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};

mod call_group;
mod calls;
mod counter;
mod footer;
pub mod languages;
pub mod overlay;
mod queue_code;
mod services;
#[cfg(test)]
pub(crate) use services::CLOSED_FOR_TODAY;
mod speaker;

pub use queue_code::{QrPlacement, placement as queue_code_placement};

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
    /// What the design check finds in a layout that loaded and is shown (panels that overlap,
    /// too little contrast, cut text), for the designer editing it: a quieter card than
    /// `notices`, because the board works.
    pub design_notes: Vec<String>,
    /// The services to list, by id; `None` lists all. A display filter from the installation's
    /// config: it shapes the picture only, so the board's state (and the health endpoint, which
    /// reports it) keeps every service the server sent.
    pub services_shown: Option<Vec<String>>,
    /// The time the header shows: real, or a simulated office's (the demo).
    pub clock: super::ShownClock,
    /// A counter display's counter id: the picture is that counter's screen, not the board.
    pub counter: Option<String>,
    /// The installation's queue page (`[board] queue_url`) as a code for phones, encoded once
    /// when the settings are read; `None` shows no code and leaves its room to the panels.
    pub queue_qr: Option<super::qr::QueueQr>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            link: Link::Replay,
            hours: OpeningHours::default(),
            closed_look: ClosedLook::Normal,
            stale_after: SignedDuration::from_secs(30),
            notices: Vec::new(),
            design_notes: Vec::new(),
            services_shown: None,
            clock: super::ShownClock::Real,
            counter: None,
            queue_qr: None,
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
    /// Texts shown without their subtitles (subtitle mode) for want of room, for `check` and
    /// `preview` to report; empty on a Polish-only board.
    pub subtitles_left_out: Vec<String>,
}

/// After closing time the board stays up while calls still happen (the last residents are being
/// served); it switches to the closed screen once no call has come for this long.
const CLOSED_AFTER_QUIET: SignedDuration = SignedDuration::from_mins(15);
/// How fast a new call blinks: half a second on, half a second off.
const BLINK: SignedDuration = SignedDuration::from_millis(500);

/// How much of the background colour veils the call and the lists while the data is old: enough
/// that the yellow frame and numbers no longer read as live, little enough that they stay
/// legible.
pub const STALE_VEIL: f32 = 0.55;

pub fn build(
    board: &Board,
    layout: &Layout,
    status: &Status,
    now: Timestamp,
    width: u32,
    height: u32,
) -> Scene {
    let mut f = SceneBuilder {
        w: width.max(1) as f32,
        h: height.max(1) as f32,
        unit: width.max(1).min(height.max(1)) as f32 / 100.0,
        layout,
        board,
        status,
        now,
        local: in_warsaw(status.clock.at(now)),
        list: DisplayList::new(width, height, layout.colors.background.0),
        next: None,
        langs: languages::at(&layout.language, now),
        left_out: Vec::new(),
    };
    // In rotate mode the fixed words change language on their own.
    f.wake(f.langs.next_switch);
    // The clock changes every minute (of the time it shows).
    f.wake(status.clock.next_minute(now));
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
            subtitles_left_out: f.left_out,
        };
    }
    f.background();
    if let Some(id) = &status.counter {
        f.counter_display(id);
        f.notices();
        return Scene {
            list: f.list,
            next_change: f.next,
            subtitles_left_out: f.left_out,
        };
    }
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
        f.queue_code();
        if f.stale() {
            f.dim_stale_panels();
        }
        f.footer();
    }
    f.notices();
    Scene {
        list: f.list,
        next_change: f.next,
        subtitles_left_out: f.left_out,
    }
}

/// The scene builder's context for one picture: inputs, screen size, and the items and next change
/// time gathered so far.
struct SceneBuilder<'a> {
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
    /// The languages of the fixed words at this moment.
    langs: languages::Languages,
    /// Texts drawn without their subtitles, for want of room.
    left_out: Vec<String>,
}

impl<'a> SceneBuilder<'a> {
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

    fn colors(&self) -> &'a crate::layout::Colors {
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

    /// Dims the call and the lists while the data is old: they stay legible (a resident who was
    /// called can still find their number) but no longer look live next to the footer's "no
    /// connection" banner. A veil of the background colour over each panel keeps the layout's
    /// own colours, only quieter.
    fn dim_stale_panels(&mut self) {
        let veil = self.colors().background.0.with_alpha(STALE_VEIL);
        let radius = self.u(self.layout.style.radius);
        let l = self.layout;
        for region in [
            &l.current_call.region,
            &l.recent_calls.region,
            &l.services.region,
        ] {
            let r = self.panel_region(region);
            self.list.rect(r, radius, veil);
        }
    }

    fn has_data(&self) -> bool {
        self.board.data.last_seq.is_some() || self.board.data.office.is_some()
    }

    /// When the data will be old enough for the "no connection" banner.
    fn stale_at(&self) -> Option<Timestamp> {
        self.board.last_heard.map(|t| {
            let after = self.status.stale_after;
            saturating_add(
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

    /// The logo's place in header `r`: `logo_height` percent of its height, centred on it, as
    /// wide as the picture's proportions make it (at most 40 % of the header), at the end
    /// `logo_align` names.
    fn logo_rect(&self, r: Rect) -> Rect {
        let hd = &self.layout.header;
        let h = r.h * (hd.logo_height / 100.0).clamp(0.1, 1.0);
        let aspect = hd.logo_aspect.unwrap_or(1.6).clamp(0.1, 20.0);
        let w = (h * aspect).min(r.w * 0.4);
        // A picture wider than the room left is made lower, keeping its proportions, so that
        // the box it is drawn in is the picture's own.
        let h = h.min(w / aspect);
        let y = r.y + (r.h - h) / 2.0;
        match hd.logo_align {
            LogoAlign::Left => Rect::new(r.x, y, w, h),
            LogoAlign::Right => Rect::new(r.right() - w, y, w, h),
        }
    }

    fn header(&mut self) {
        let hd = &self.layout.header;
        let r = self.region(&hd.region);
        let mut left = r.x;
        let mut right = r.right();
        if let Some(logo) = &hd.logo {
            let rect = self.logo_rect(r);
            self.list.push(Item::Image(ImageItem {
                rect,
                path: self.layout.asset(logo),
                fit: ImageFit::Contain,
                opacity: 1.0,
            }));
            match hd.logo_align {
                LogoAlign::Left => left = rect.right() + self.u(1.5),
                LogoAlign::Right => right = rect.x - self.u(1.5),
            }
        }
        let c = self.colors();
        let split = 0.58;
        let title_w = (right - left) * 0.66;
        let title = self
            .text(
                self.say_or("header_title", &hd.title),
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
        let right_w = (right - left) * 0.34;
        let right_x = right - right_w;
        let clock = self
            .text(
                polish::clock(&self.local),
                Rect::new(right_x, r.y, right_w, r.h * 0.62),
                hd.clock_size,
                c.text.0,
            )
            .bold()
            .align(Align::Right)
            .whole();
        self.list.text(clock);
        // The date is never cut: a header too narrow for the full form at its smallest size
        // takes a shorter one. The estimate is generous (0.6 of the size per character), so a
        // form chosen here fits with any ordinary font.
        let date_min = self.u(hd.date_size * 0.7);
        // A simulated clock says so before the date, so that nobody takes it for the real time.
        let forms: Vec<String> = match self.status.clock.label() {
            Some(label) => {
                let mut forms: Vec<String> = self
                    .words()
                    .date_forms(&self.local)
                    .iter()
                    .map(|f| format!("{label} · {f}"))
                    .collect();
                forms.push(label);
                forms
            }
            None => self.words().date_forms(&self.local).to_vec(),
        };
        let date_text = forms
            .iter()
            .find(|f| f.chars().count() as f32 * 0.6 * date_min <= right_w)
            .unwrap_or(&forms[forms.len() - 1])
            .clone();
        let date = self
            .text(
                date_text,
                Rect::new(right_x, r.y + r.h * 0.62, right_w, r.h * 0.38),
                hd.date_size,
                c.muted.0,
            )
            .align(Align::Right)
            .whole();
        self.list.text(date);
    }
}
