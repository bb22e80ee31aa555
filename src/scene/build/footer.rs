//! The bottom line (announcements, the no-connection banner), the closed screen and error cards.

use super::SceneBuilder;
use crate::protocol::time::in_warsaw;
use crate::scene::display::*;
use crate::scene::polish;
use jiff::Timestamp;

impl SceneBuilder<'_> {
    pub(super) fn footer(&mut self) {
        let ft = &self.layout.footer;
        let c = self.colors();
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
            // Within 1 s – 1 day whatever the layout says: a zero period (NaN cast to an
            // integer) would divide by zero below.
            let seconds = if ft.rotate_seconds.is_nan() {
                1.0
            } else {
                ft.rotate_seconds.clamp(1.0, 86_400.0)
            };
            let period = (seconds * 1000.0) as i64;
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
        let c = self.colors();
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

    pub(super) fn closed_screen(&mut self) {
        let c = self.colors();
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
    pub(super) fn notices(&mut self) {
        if self.status.notices.is_empty() {
            return;
        }
        let c = self.colors();
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
