//! The queues: each service with who waits and for how long.

use super::SceneBuilder;
use super::languages::SUBTITLE_SMALLEST;
use crate::board::Wait;
use crate::protocol::ServiceInfo;
use crate::scene::display::*;
use crate::scene::metrics::{self, LINE_HEIGHT};
use crate::scene::words::Words;

impl SceneBuilder<'_> {
    /// Services to list: those the installation shows (all by default), or the busiest `max` of
    /// them, in the server's order.
    fn listed_services(&self, max: usize) -> Vec<&ServiceInfo> {
        let shown = self.status.services_shown.as_deref();
        let all: Vec<&ServiceInfo> = self
            .board
            .data
            .services
            .iter()
            .filter(|s| shown.is_none_or(|keep| keep.contains(&s.id)))
            .collect();
        if all.len() <= max {
            return all;
        }
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(all[i].waiting));
        order.truncate(max);
        order.sort_unstable();
        order.into_iter().map(|i| all[i]).collect()
    }

    pub(super) fn services(&mut self) {
        let sv = &self.layout.services;
        let c = self.colors();
        let r = self.panel_region(&sv.region);
        let pad = self.u(self.layout.style.padding);
        self.panel(r, c.panel.0);
        let inner = r.inset(pad);
        // A wide panel (portrait screens) gives each service one line with columns; a narrow one
        // puts who waits and for how long on two short lines at the right.
        let wide = inner.w >= self.u(70.0);
        let title_h = self.u(sv.title_size * 1.7);
        // Subtitles: a line per other language under the title and the headings.
        let heading = sv.title_size * 0.8;
        let sub_px = self.u(Self::subtitle_size(heading));
        let sub_line = sub_px * LINE_HEIGHT;
        let n_subs = self.langs.subtitles.len();
        let subs_h = if n_subs == 0 {
            0.0
        } else {
            n_subs as f32 * sub_line + self.u(0.4)
        };
        let cols = ServiceColumns::new(inner, wide);
        let t = self
            .text(
                self.say_or("services_title", &sv.title),
                Rect::new(inner.x, inner.y, cols.name_w(inner), title_h),
                sv.title_size,
                c.muted.0,
            )
            .bold()
            .valign(VAlign::Top)
            .shrink_to(self.u(sv.title_size * 0.7));
        self.list.text(t);
        // The headings read like the values under them: "Czeka" in bold over who waits (in
        // bold), "szacowany czas" in regular over how long; side by side over a wide list, one
        // over the other over a narrow one, as its rows put them.
        let (waiting, time, time_under) = (
            self.say("heading_waiting"),
            self.say("heading_time"),
            self.say("heading_time_under"),
        );
        let headings: Vec<(String, Rect, bool)> = if wide {
            vec![
                (
                    waiting.clone(),
                    Rect::new(cols.people.x, inner.y, cols.people.w, title_h),
                    true,
                ),
                (
                    time,
                    Rect::new(cols.wait.x, inner.y, cols.wait.w, title_h),
                    false,
                ),
            ]
        } else {
            let half = title_h / 2.0;
            vec![
                (
                    waiting,
                    Rect::new(cols.people.x, inner.y, cols.people.w, half),
                    true,
                ),
                (
                    time_under,
                    Rect::new(cols.people.x, inner.y + half, cols.people.w, half),
                    false,
                ),
            ]
        };
        for (label, rect, bold) in headings {
            let mut t = self
                .text(label, rect, heading, c.muted.0)
                .align(Align::Right)
                .valign(if wide { VAlign::Top } else { VAlign::Center })
                .shrink_to(self.u(heading * 0.6));
            if bold {
                t = t.bold();
            }
            self.list.text(t);
        }
        self.heading_subtitles(inner, &cols, title_h, sub_px);
        let title_h = title_h + subs_h;
        let list = Rect::new(inner.x, inner.y + title_h, inner.w, inner.h - title_h);
        let gap = self.u(0.5);
        let natural = if wide {
            self.u(sv.name_size.max(sv.detail_size) * 1.8)
        } else {
            self.u((sv.name_size * 1.7).max(sv.detail_size * 2.5))
        };
        // Rows shrink their type to fit the panel, but never below legible: a panel that gave
        // room to the queue's code lists the busiest services that fit, as `max_rows` does.
        let smallest = sv.name_size.min(sv.detail_size);
        let min_scale = (metrics::LEGIBLE_PERCENT / smallest).min(1.0);
        let fit = ((list.h + gap) / (natural * min_scale + gap)).floor();
        let fit = if fit.is_finite() {
            fit.max(1.0) as usize
        } else {
            1
        };
        let services: Vec<ServiceInfo> = self
            .listed_services((sv.max_rows as usize).min(fit))
            .into_iter()
            .cloned()
            .collect();
        if services.is_empty() {
            let message = if self.has_data() {
                self.say("no_services")
            } else {
                self.say("waiting_for_data")
            };
            let key = if self.has_data() {
                "no_services"
            } else {
                "waiting_for_data"
            };
            let subs = self.subtitles(|w| w.get(key).to_owned());
            let t = self
                .text(message, list, sv.name_size, c.muted.0)
                .align(Align::Center)
                .shrink_to(self.u(sv.name_size * 0.6));
            self.text_with_subtitles_under(t, 1, &subs, c.muted.0);
            return;
        }
        let n = services.len() as f32;
        // The rows share the panel's height, up to half as tall again as their type needs (a
        // few services do not float at the top of an empty panel, nor turn into tall bars).
        let share = (list.h - gap * (n - 1.0)) / n;
        let row_h = share.min(natural);
        // Type shrinks with the rows when many services must fit.
        let scale = (row_h / natural).min(1.0);
        // Translated names have lines of their own, which the rows may grow by too. They are
        // a help, not the thing itself: where their lines would squeeze the rows (and so the
        // queue details, or the Polish names below two lines), the column is planned without
        // them. They may set the names a step smaller, within the column's own limits.
        let plan = |f: &Self, wrap_closed: bool| {
            let translated = services
                .iter()
                .map(|s| f.translated_names(s).len())
                .max()
                .unwrap_or(0) as f32
                * f.translation_px(scale)
                * LINE_HEIGHT;
            let total = share.min(natural * ROW_STRETCH + translated) * n;
            f.name_column(&services, list, wide, scale, (row_h, total), wrap_closed)
        };
        let mut column = plan(self, true);
        if !self.langs.names.is_empty() && column.squeezed {
            // First the closed-for-today wait gives up its second line (it shrinks on one),
            // then, if the rows are still squeezed, the translations go.
            let one_line = plan(self, false);
            if one_line.squeezed {
                self.langs.names.clear();
                self.left_out
                    .push("the services' translated names".to_owned());
                column = plan(self, true);
            } else {
                column = one_line;
            }
        }
        let mut y = list.y;
        for (i, s) in services.iter().enumerate() {
            let row = Rect::new(list.x, y, list.w, column.heights[i]);
            let cols = ServiceColumns::new(row, wide);
            self.service_row(row, &cols, s, &column, scale, i % 2 == 1);
            y += row.h + gap;
        }
    }

    /// A service's name in the languages the board shows names in (subtitle mode: each other
    /// language; rotate mode: the foreign language of the moment), where the server sent it.
    fn translated_names(&self, s: &ServiceInfo) -> Vec<String> {
        self.langs
            .names
            .iter()
            .filter_map(|l| s.names.get(lang_code(*l)))
            .filter(|n| !n.trim().is_empty() && n.trim() != s.name.trim())
            .cloned()
            .collect()
    }

    /// The size of a translated name, in pixels: a subtitle of the names column.
    fn translation_px(&self, scale: f32) -> f32 {
        self.u(Self::subtitle_size(self.layout.services.name_size * scale))
    }

    /// The title's and the headings' subtitles, a line per language under them (subtitle
    /// mode): the title's words at the left, the headings' over their columns, smaller and in
    /// regular weight, so that they read as translations of the line above.
    fn heading_subtitles(&mut self, inner: Rect, cols: &ServiceColumns, top: f32, px: f32) {
        let c = self.colors();
        let line = px * LINE_HEIGHT;
        let smallest = self.u(SUBTITLE_SMALLEST);
        let name_w = cols.name_w(inner);
        let langs = self.langs.subtitles.clone();
        for (i, lang) in langs.into_iter().enumerate() {
            let w = Words::of(lang);
            let y = inner.y + top + i as f32 * line;
            let mut cells = vec![(
                w.get("services_title").to_owned(),
                Rect::new(inner.x, y, name_w * 0.5, line),
                Align::Left,
            )];
            if cols.wide {
                cells.push((
                    w.get("heading_waiting").to_owned(),
                    Rect::new(cols.people.x, y, cols.people.w, line),
                    Align::Right,
                ));
                cells.push((
                    w.get("heading_time").to_owned(),
                    Rect::new(cols.wait.x, y, cols.wait.w, line),
                    Align::Right,
                ));
            } else {
                let x = inner.x + name_w * 0.5;
                cells.push((
                    format!(
                        "{} · {}",
                        w.get("heading_waiting"),
                        w.get("heading_time_under")
                    ),
                    Rect::new(x, y, cols.people.right() - x, line),
                    Align::Right,
                ));
            }
            for (text, rect, align) in cells {
                let t = self
                    .text(text, rect, 1.0, c.muted.0)
                    .align(align)
                    .valign(VAlign::Top);
                let mut t = t;
                t.size = px;
                t.min_size = smallest.min(px);
                self.list.text(t);
            }
        }
    }

    /// The one type size of the names column and the height of each row.
    ///
    /// A column whose rows each shrank on their own mixed three sizes. Here the longest name
    /// decides: the largest size, from the layout's `name_size` down to its smallest (0.72 of
    /// it), at which every name fits its box on one line or, wrapping, on two — the rows sharing
    /// the list's height so that a row with two lines gets them, without the others giving up
    /// the room their queue's details need (those keep their size: the rows are planned around
    /// them). A name that does not fit two lines even at the smallest size is cut with "…" at
    /// the column's size, and does not decide it.
    fn name_column(
        &self,
        services: &[ServiceInfo],
        list: Rect,
        wide: bool,
        scale: f32,
        (row_h, total): (f32, f32),
        wrap_closed: bool,
    ) -> NameColumn {
        let sv = &self.layout.services;
        let builtin = self.builtin_font();
        let inset_y = self.u(0.3) * scale;
        let badge = (row_h - 2.0 * inset_y)
            .min(self.u(sv.name_size * 1.5 * scale))
            .max(0.0);
        let probe = Rect::new(list.x, list.y, list.w, row_h);
        let cols = ServiceColumns::new(probe, wide);
        let name_x = probe.x + self.u(1.0) + badge + self.u(1.2);
        let name_w = (cols.name_w(probe) - (name_x - probe.x) - self.u(1.0)).max(0.0);
        // What the details need of a row's height; never more than the even share gives them,
        // which is what they had before the names were planned.
        let detail = self.u(sv.detail_size * scale) * LINE_HEIGHT * if wide { 1.0 } else { 2.0 };
        let base = detail.min(row_h - 2.0 * inset_y).max(0.0);
        // In a wide list a wait longer than its column ("bilety na dziś wydane") takes two
        // lines at the details' size, not one line shrunk out of reach: its row plans for them.
        let detail_px = self.u(sv.detail_size * scale);
        let bases: Vec<f32> = services
            .iter()
            .map(|s| {
                let wait = self.service_words(s).1;
                let long =
                    metrics::width_em(&wait, Weight::Regular, builtin) * detail_px > cols.wait.w;
                if wrap_closed && wide && !s.accepting && long {
                    base.max(2.0 * LINE_HEIGHT * detail_px)
                } else {
                    base
                }
            })
            .collect();
        let nominal = step_down(self.u(sv.name_size * scale));
        let smallest = step_down(self.u(sv.name_size * scale * NAME_SMALLEST)).min(nominal);
        // A translated name takes a line of its own under the Polish one, smaller.
        let trans_px = self.translation_px(scale);
        let trans_line = trans_px * LINE_HEIGHT;
        let plan = |size: f32| -> (Vec<u32>, Vec<f32>) {
            let lines: Vec<u32> = services
                .iter()
                .map(|s| metrics::lines_at(&s.name, Weight::Bold, builtin, size, name_w))
                .collect();
            let needs = lines
                .iter()
                .zip(services)
                .zip(&bases)
                .map(|((&l, s), base)| {
                    let translated = self.translated_names(s).len() as f32 * trans_line;
                    2.0 * inset_y + base.max(l.min(2) as f32 * LINE_HEIGHT * size + translated)
                })
                .collect();
            (lines, needs)
        };
        // A name that two lines cannot hold even at the smallest size is cut whatever the
        // column's size; it does not drag the others down with it.
        let (hopeless, _) = plan(smallest);
        let mut size = nominal;
        let needs = loop {
            let (lines, needs) = plan(size);
            let fits = lines.iter().zip(&hopeless).all(|(&l, &h)| l <= 2 || h > 2)
                && needs.iter().sum::<f32>() <= total + 0.01;
            if fits || size <= smallest {
                break needs;
            }
            size = step_down(size - 0.5).max(smallest);
        };
        // The height left over is shared evenly; a plan that needs more than there is (names
        // too long even at the smallest size) is squeezed evenly instead.
        let sum: f32 = needs.iter().sum();
        let heights = if sum <= total {
            let extra = (total - sum) / services.len() as f32;
            needs.iter().map(|h| h + extra).collect()
        } else {
            needs.iter().map(|h| h * total / sum).collect()
        };
        NameColumn {
            size,
            squeezed: sum > total + 0.01,
            heights,
            badge,
            name_x: name_x - probe.x,
            name_w,
        }
    }

    /// Whether the layout draws with the built-in font, whose letters the scene knows.
    pub(super) fn builtin_font(&self) -> bool {
        let f = self.layout.style.font.trim();
        f.is_empty() || f.eq_ignore_ascii_case(metrics::BUILTIN_FAMILY)
    }

    fn service_row(
        &mut self,
        row: Rect,
        cols: &ServiceColumns,
        s: &ServiceInfo,
        column: &NameColumn,
        scale: f32,
        alt: bool,
    ) {
        let sv = &self.layout.services;
        let c = self.colors();
        self.panel(row, if alt { c.panel_alt.0 } else { c.panel.0 });
        let inner = row.inset_xy(self.u(1.0), self.u(0.3) * scale);
        let badge = column.badge.min(inner.h);
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
            .whole();
        self.list.text(t);
        // The column's size, fixed: the plan made sure the name fits at it.
        let translated = self.translated_names(s);
        let name_box = Rect::new(row.x + column.name_x, inner.y, column.name_w, inner.h);
        let mut t = self
            .text(s.name.clone(), name_box, 1.0, c.text.0)
            .bold()
            .lines(2);
        t.size = column.size;
        t.min_size = column.size;
        if translated.is_empty() {
            self.list.text(t);
        } else {
            // The Polish name and its translations as one group, centred in the row.
            let builtin = self.builtin_font();
            let lines = metrics::lines_at(&s.name, Weight::Bold, builtin, t.size, name_box.w)
                .clamp(1, 2) as f32;
            let trans_px = self.translation_px(scale);
            let name_h = lines * LINE_HEIGHT * t.size;
            let group = name_h + translated.len() as f32 * trans_px * LINE_HEIGHT;
            let top = name_box.y + ((name_box.h - group) / 2.0).max(0.0);
            t.rect = Rect::new(name_box.x, top, name_box.w, name_h + 1.0);
            self.list.text(t);
            for (i, name) in translated.into_iter().enumerate() {
                let y = top + name_h + i as f32 * trans_px * LINE_HEIGHT;
                let mut t = self
                    .text(
                        name,
                        Rect::new(name_box.x, y, name_box.w, trans_px * LINE_HEIGHT),
                        1.0,
                        c.muted.0,
                    )
                    .valign(VAlign::Top);
                t.size = trans_px;
                t.min_size = trans_px.min(self.u(SUBTITLE_SMALLEST));
                self.list.text(t);
            }
        }
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
        let closed = !s.accepting;
        let mut t = self
            .text(wait, wait_rect, size, c.muted.0)
            .align(Align::Right)
            .valign(wait_v)
            .shrink_to(self.u(size * 0.6));
        let px = self.u(size);
        let builtin = self.builtin_font();
        let one_line = metrics::width_em(&t.text, Weight::Regular, builtin) * px <= wait_rect.w;
        let two_lines = wait_rect.h >= 2.0 * LINE_HEIGHT * px * CLOSED_SMALLEST;
        if closed && cols.wide && !one_line && two_lines {
            // Longer than any wait: in the narrow column of a wide list it takes two lines
            // rather than shrinking out of reach. At the details' size where the row has the
            // room (the plan gives it), a little smaller in a row squeezed below its plan (the
            // renderer shrinks before it wraps).
            t = t.lines(2);
            t.min_size = if wait_rect.h + 0.5 >= 2.0 * LINE_HEIGHT * px {
                px
            } else {
                px * CLOSED_SMALLEST
            };
        }
        self.list.text(t);
    }

    /// The two lines about a service's queue: who waits and for how long.
    fn service_words(&self, s: &ServiceInfo) -> (String, String) {
        let open = if self.board.data.counters.is_empty() {
            s.open_counters
        } else {
            self.board.data.open_counters_for(&s.id)
        };
        let words = self.words();
        let people = if s.waiting == 0 {
            words.get("no_queue").to_owned()
        } else {
            words.people(s.waiting)
        };
        let wait = match self.board.wait(s) {
            // Those already waiting are still served; the wait no longer concerns anyone who
            // could still take a ticket.
            _ if !s.accepting => words.get(CLOSED_FOR_TODAY_KEY).to_owned(),
            _ if open == 0 && s.est_wait_s.is_none() => words.get("counters_closed").to_owned(),
            Wait::NoQueue => words.get("right_away").to_owned(),
            Wait::About { seconds, .. } => words.wait(seconds),
            Wait::Unknown => words.get("wait_unknown").to_owned(),
        };
        (people, wait)
    }
}

/// Said in place of the wait of a service that stopped issuing tickets for the day.
#[cfg(test)]
pub(crate) const CLOSED_FOR_TODAY: &str = "bilety na dziś wydane";
/// Its key in the word tables.
const CLOSED_FOR_TODAY_KEY: &str = "closed_for_today";

/// The smallest "bilety na dziś wydane" is set in a wide list before it takes two lines.
const CLOSED_SMALLEST: f32 = 0.85;

/// How much taller than their type needs the rows may grow to fill the panel.
const ROW_STRETCH: f32 = 1.5;

/// The smallest a service name is set, as a share of its size.
const NAME_SMALLEST: f32 = 0.72;

/// Sizes are stepped like the renderer's (half a pixel), so that the size planned here is the
/// size drawn.
fn step_down(size: f32) -> f32 {
    (size * 2.0).floor() / 2.0
}

/// The plan of the names column (see `name_column`).
struct NameColumn {
    /// The names' one size, in pixels.
    size: f32,
    /// Whether the rows needed more height than the list has, and were squeezed.
    squeezed: bool,
    /// Each row's height, in pixels.
    heights: Vec<f32>,
    /// The service letter's square side.
    badge: f32,
    /// The name's box: left edge from the row's, and width.
    name_x: f32,
    name_w: f32,
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

/// A language's code as the protocol's `names` uses it.
fn lang_code(lang: crate::layout::Lang) -> &'static str {
    match lang {
        crate::layout::Lang::Pl => "pl",
        crate::layout::Lang::Uk => "uk",
        crate::layout::Lang::En => "en",
    }
}
