//! The bottom line (announcements, the no-connection banner), the closed screen and error cards.

use super::SceneBuilder;
use crate::protocol::time::in_warsaw;
use crate::scene::display::*;
use crate::scene::metrics::{self, LINE_HEIGHT};
use crate::scene::polish;
use jiff::Timestamp;

/// The smallest an announcement is set, as a share of `footer.text_size`.
const ANNOUNCEMENT_SMALLEST: f32 = 0.88;

/// How long a part of a long announcement stays: time to find the line and then to read it.
const PART_MIN_MS: i64 = 2_500;
const PART_MS_PER_WORD: i64 = 400;

/// Type size of a problem in the layout's card, in percent of the shorter side.
const NOTE_SIZE: f32 = 1.9;

impl SceneBuilder<'_> {
    /// The bottom line: the announcements, or the opening hours when there are none.
    ///
    /// Announcements keep the layout's `text_size` (a few letters too many set them a little
    /// smaller, never below [`ANNOUNCEMENT_SMALLEST`]): instead of shrinking further or ending
    /// in "…", a long one is shown in parts that each fit the line ("(1/3)", "(2/3)", …). The
    /// announcements take turns, each for `rotate_seconds`; a part stays as long as it takes
    /// to read (a few seconds, never longer than a whole one). Every change of page is the
    /// scene's next change, so a page is never skipped nor redrawn early.
    pub(super) fn footer(&mut self) {
        let ft = &self.layout.footer;
        let c = self.colors();
        let r = self.region(&ft.region);
        if self.stale() {
            self.offline_banner(r);
            return;
        }
        let announcements = &self.board.data.announcements;
        let texts: Vec<String> = if announcements.is_empty() {
            // The opening hours in the language of the moment, or in each language in turn on a
            // board with subtitles (a line this long has no room for them under it).
            let hours_line = |w: &crate::scene::words::Words| {
                let hours = w.hours(&self.status.hours).join(", ");
                w.fill("hours_line", &[("hours", &hours)])
            };
            std::iter::once(hours_line(&self.words()))
                .chain(self.subtitles(hours_line))
                .collect()
        } else {
            announcements.iter().map(|a| a.text.clone()).collect()
        };
        self.panel(r, c.panel.0);
        let area = r.inset_xy(self.u(1.5), self.u(0.3));
        // Parts are cut to fit at the announcements' smallest size, a little under
        // `text_size`: a sentence a few letters too long is drawn whole, a little smaller,
        // rather than split in two.
        let size = self.u(ft.text_size);
        let smallest = size * ANNOUNCEMENT_SMALLEST;
        // As many lines as the line's height holds at the full size, one or two.
        let lines = ((area.h / (size * LINE_HEIGHT)).floor() as usize).clamp(1, 2);
        // Within 1 s – 1 day whatever the layout says: a zero period (NaN cast to an
        // integer) would divide by zero below.
        let seconds = if ft.rotate_seconds.is_nan() {
            1.0
        } else {
            ft.rotate_seconds.clamp(1.0, 86_400.0)
        };
        let whole = (seconds * 1000.0) as i64;
        // Each page with how long it stays: a whole announcement for `rotate_seconds`, a part
        // for as long as it takes to read (a few seconds), never longer.
        let pages: Vec<(String, i64)> = texts
            .iter()
            .flat_map(|t| {
                let parts = self.pages(t, smallest, area.w, lines);
                let split = parts.len() > 1;
                parts.into_iter().map(move |p| {
                    let ms = if split {
                        let words = p.split_whitespace().count() as i64;
                        (PART_MIN_MS + words * PART_MS_PER_WORD).min(whole)
                    } else {
                        whole
                    };
                    (p, ms)
                })
            })
            .collect();
        let cycle: i64 = pages.iter().map(|(_, ms)| ms).sum();
        if cycle <= 0 {
            return;
        }
        let now = self.now.as_millisecond();
        // Where in the cycle of pages this moment falls, and how long its page has left.
        let mut at = now.rem_euclid(cycle);
        let mut shown = None;
        for (text, ms) in &pages {
            if at < *ms {
                shown = Some((text.clone(), ms - at));
                break;
            }
            at -= ms;
        }
        let Some((page, left)) = shown else {
            return;
        };
        if pages.len() > 1 {
            self.wake(Timestamp::from_millisecond(now.saturating_add(left)).ok());
        }
        let mut t = self
            .text(page, area, ft.text_size, c.text.0)
            .align(Align::Center)
            .lines(lines as u32);
        // A page fits at the smallest size (see `pages`); the renderer sets it as large as
        // fits, up to `text_size`.
        t.min_size = smallest;
        self.list.text(t);
    }

    /// `text` in parts that each fit `lines` lines `width` pixels wide at `size`, broken
    /// between words; each part of a text that needs more than one ends in its number,
    /// "(2/3)". Widths are the built-in font's (or counted wide for a layout's own font), so a
    /// part fits as the renderer sets it.
    fn pages(&self, text: &str, size: f32, width: f32, lines: usize) -> Vec<String> {
        let builtin = self.builtin_font();
        let measure = |s: &str| metrics::width_em(s, Weight::Regular, builtin) * size;
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Vec::new();
        }
        if metrics::lines_at(text, Weight::Regular, builtin, size, width) as usize <= lines {
            return vec![words.join(" ")];
        }
        // Room for the part's number on its last line.
        let mark = measure(" (99/99)");
        let space = measure(" ");
        let mut parts: Vec<Vec<&str>> = Vec::new();
        let mut part: Vec<&str> = Vec::new();
        let (mut line, mut used) = (1, 0.0_f32);
        for word in words {
            let w = measure(word);
            let room = if line == lines { width - mark } else { width };
            if used == 0.0 || used + space + w <= room {
                used += if used == 0.0 { w } else { space + w };
                part.push(word);
                continue;
            }
            if line < lines {
                line += 1;
                used = w;
                part.push(word);
            } else {
                parts.push(std::mem::take(&mut part));
                part.push(word);
                line = 1;
                used = w;
            }
            // A word wider than a line fills the lines it takes.
            line += ((w / width.max(1.0)).ceil() as usize).saturating_sub(1);
        }
        if !part.is_empty() {
            parts.push(part);
        }
        // One-line parts are evened out: "Przygotuj dowód osobisty (1/2)", "przed podejściem
        // do stanowiska. (2/2)" reads better than a full line and a word or two.
        if lines == 1 && parts.len() > 1 {
            let all: Vec<&str> = parts.concat();
            let total: f32 = all.iter().map(|w| measure(w) + space).sum();
            let target = total / parts.len() as f32;
            let mut even: Vec<Vec<&str>> = vec![Vec::new()];
            let mut used = 0.0_f32;
            for word in all {
                let w = measure(word);
                let room = width - mark;
                let last = even.len() - 1;
                let next = if used == 0.0 { w } else { used + space + w };
                // Past the even share, a part ends at the word that crosses it, if it fits.
                if used > 0.0 && (next > room || used >= target) {
                    even.push(vec![word]);
                    used = w;
                } else {
                    even[last].push(word);
                    used = next;
                }
            }
            if even.len() == parts.len() {
                parts = even;
            }
        }
        let n = parts.len();
        parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| format!("{} ({}/{n})", p.join(" "), i + 1))
            .collect()
    }

    fn offline_banner(&mut self, r: Rect) {
        let c = self.colors();
        let size = self.layout.footer.text_size;
        self.panel(r, c.alert.0);
        let banner = |w: &crate::scene::words::Words| {
            let offline = w.get("offline");
            match self.board.last_heard {
                Some(t) => {
                    let z = in_warsaw(t);
                    let time = polish::clock(&z);
                    if z.date() == self.local.date() {
                        w.fill(
                            "offline_since_time",
                            &[("offline", offline), ("time", &time)],
                        )
                    } else {
                        let day = z.day().to_string();
                        w.fill(
                            "offline_since_date",
                            &[
                                ("offline", offline),
                                ("day", &day),
                                ("month", w.month((z.month() - 1) as usize)),
                                ("time", &time),
                            ],
                        )
                    }
                }
                None => offline.to_owned(),
            }
        };
        let text = banner(&self.words());
        // Subtitles say only that the connection is lost: the time is in the Polish line.
        let subs = self.subtitles(|w| w.get("offline").to_owned());
        let t = self
            .text(
                text,
                r.inset_xy(self.u(1.5), self.u(0.3)),
                size,
                c.alert_text.0,
            )
            .bold()
            .align(Align::Center)
            .shrink_to(self.u(size * 0.6));
        self.text_with_subtitles_beside(t, &subs, c.alert_text.0);
    }

    pub(super) fn closed_screen(&mut self) {
        let c = self.colors();
        let top = self.region(&self.layout.header.region).bottom() + self.u(2.0);
        let margin = self.u(4.0);
        let r = Rect::new(margin, top, self.w - 2.0 * margin, self.h - top - margin);
        self.panel(r, c.panel.0);
        let inner = r.inset(self.u(4.0));
        let words = self.words();
        let lines = words.hours(&self.status.hours);
        let big = self.layout.current_call.label_size * 2.2;
        let body = self.layout.current_call.label_size * 1.2;
        let hours = if lines.is_empty() {
            words.get("closed_temporarily").to_owned()
        } else {
            lines.join("\n")
        };
        let closed_now = words.get("closed_now");
        let invite = words.get("closed_invite");
        let subs_now = self.subtitles(|w| w.get("closed_now").to_owned());
        let subs_invite = self.subtitles(|w| w.get("closed_invite").to_owned());
        let block = [
            (closed_now, big, c.text.0, true, 0.30, subs_now),
            (invite, body, c.muted.0, false, 0.16, subs_invite),
            (
                hours.as_str(),
                body * 1.15,
                c.accent.0,
                true,
                0.34,
                Vec::new(),
            ),
        ];
        let mut y = inner.y + inner.h * 0.1;
        let builtin = self.builtin_font();
        for (text, size, color, bold, share, subs) in block {
            let h = inner.h * share;
            let mut t = self
                .text(text, Rect::new(inner.x, y, inner.w, h), size, color)
                .align(Align::Center)
                .lines(7)
                .shrink_to(self.u(size * 0.5));
            if bold {
                t = t.bold();
            }
            let lines = metrics::lines_at(text, t.weight, builtin, t.size, inner.w).max(1);
            self.text_with_subtitles_under(t, lines, &subs, c.muted.0);
            y += h;
        }
        if self.stale() {
            let ft = self.region(&self.layout.footer.region);
            self.offline_banner(ft);
        }
    }

    /// Problems with the layout file, as a card over the board: a broken file (the previous
    /// layout stays on screen) in red, or what the design check finds in a file that loaded and
    /// is shown, in amber — as alacritty shows its config errors and warnings in the window. A
    /// broken file outranks the notes: they belong to a layout that is not on screen.
    pub(super) fn notices(&mut self) {
        let (title, lines, fill, edge, heading) = if !self.status.notices.is_empty() {
            (
                "Błąd pliku układu — pokazuję poprzedni układ".to_owned(),
                &self.status.notices,
                Color::rgb(0x20, 0x08, 0x08),
                self.colors().alert.0,
                Color::rgb(0xFF, 0xB4, 0xAB),
            )
        } else if !self.status.design_notes.is_empty() {
            let n = self.status.design_notes.len();
            (
                format!(
                    "Układ wczytany; {n} {} do poprawy (tablica check)",
                    polish::plural(n as u64, "uwaga", "uwagi", "uwag")
                ),
                &self.status.design_notes,
                Color::rgb(0x1E, 0x18, 0x04),
                Color::rgb(0xE8, 0xB4, 0x1E),
                Color::rgb(0xFF, 0xD8, 0x6B),
            )
        } else {
            return;
        };
        // Each problem on lines of its own at a size read from a step back; those that do not
        // fit are counted ("tablica check" lists them all).
        const SHOWN: usize = 3;
        let shown = lines.len().min(SHOWN);
        let more = lines.len() - shown;
        let pad = self.u(1.5);
        let title_h = self.u(3.4);
        let more_h = if more > 0 {
            self.u(NOTE_SIZE * 1.5)
        } else {
            0.0
        };
        let w = self.notice_width() - 2.0 * pad;
        // Each note as tall as the lines it is likely to take (a little under half an em a character),
        // at most three.
        let note_hs: Vec<f32> = lines[..shown]
            .iter()
            .map(|l| {
                let wide = l.chars().count() as f32 * 0.45 * self.u(NOTE_SIZE);
                let n = (wide / w.max(1.0)).ceil().clamp(1.0, 3.0);
                self.u(NOTE_SIZE * 1.2 * n + 0.6)
            })
            .collect();
        let r = self.notice_rect(2.0 * pad + title_h + note_hs.iter().sum::<f32>() + more_h);
        self.list.push(Item::Rect(RectItem {
            rect: r,
            radius: self.u(1.0),
            fill,
            border: Some((self.u(0.4), edge)),
        }));
        let inner = r.inset(pad);
        let t = self
            .text(
                title,
                Rect::new(inner.x, inner.y, inner.w, title_h),
                2.4,
                heading,
            )
            .bold()
            .valign(VAlign::Top)
            .shrink_to(self.u(1.6));
        self.list.text(t);
        let mut y = inner.y + title_h;
        for (line, note_h) in lines[..shown].iter().zip(note_hs) {
            let t = self
                .text(
                    line.clone(),
                    Rect::new(inner.x, y, inner.w, note_h.min(inner.bottom() - y).max(0.0)),
                    NOTE_SIZE,
                    Color::rgb(0xFF, 0xFF, 0xFF),
                )
                .valign(VAlign::Top)
                .lines(3)
                .shrink_to(self.u(1.6));
            self.list.text(t);
            y += note_h;
        }
        if more > 0 {
            let t = self
                .text(
                    format!("… i {more} więcej: tablica check pokaże wszystkie"),
                    Rect::new(inner.x, y, inner.w, (inner.bottom() - y).max(0.0)),
                    NOTE_SIZE,
                    heading,
                )
                .valign(VAlign::Top)
                .shrink_to(self.u(1.6));
            self.list.text(t);
        }
    }

    /// Half a landscape screen; nearly the whole width of a portrait one, so that a message
    /// takes few lines.
    fn notice_width(&self) -> f32 {
        (self.w * 0.5).max((self.w - self.u(4.0)).min(self.u(90.0)))
    }

    /// Where the layout's card goes: low at the right, over the lists; never over the current
    /// call, which the hall must read whatever state the file is in. A layout whose call panel
    /// sits low gets the card above it, or below it when there is no room above.
    fn notice_rect(&self, height: f32) -> Rect {
        let w = self.notice_width();
        let h = height.min(self.h * 0.45);
        let x = self.w - w - self.u(2.0);
        let low = Rect::new(x, self.h - h - self.u(9.0), w, h);
        let call = self.panel_region(&self.layout.current_call.region);
        let clear = |r: &Rect| {
            r.right() <= call.x
                || r.x >= call.right()
                || r.bottom() <= call.y
                || r.y >= call.bottom()
        };
        if clear(&low) {
            return low;
        }
        let gap = self.u(1.0);
        let above = Rect::new(x, (call.y - gap - h).max(0.0), w, h);
        if clear(&above) {
            return above;
        }
        let below = Rect::new(x, (call.bottom() + gap).min(self.h - h), w, h);
        if clear(&below) {
            return below;
        }
        // A call panel as tall as the screen leaves no free place; the card goes where it does
        // least harm, the bottom edge.
        Rect::new(x, self.h - h, w, h)
    }
}
