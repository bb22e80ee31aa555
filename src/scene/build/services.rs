//! The queues: each service with who waits and for how long.

use super::Frame;
use crate::board::Wait;
use crate::protocol::ServiceInfo;
use crate::scene::display::*;
use crate::scene::polish;

impl Frame<'_> {
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

    pub(super) fn services(&mut self) {
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
