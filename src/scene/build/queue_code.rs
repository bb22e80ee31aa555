//! The queue's code for phones: a dark-on-white QR code in whole pixels, with its caption and
//! the address in words for those who would rather type it.

use super::SceneBuilder;
use crate::layout::{Layout, Region};
use crate::scene::display::*;
use crate::scene::metrics::{self, LINE_HEIGHT};
use crate::scene::qr::{QUIET_ZONE, QueueQr};

/// Where the code goes in its region, worked out the same way for the scene and for the layout's
/// check (which measures it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QrPlacement {
    /// The region's panel, in pixels.
    pub panel: Rect,
    /// The white square: the code and its quiet zone, on whole pixels.
    pub square: Rect,
    /// Whole pixels per module; 0 when the square cannot hold the code at one pixel a module
    /// (then no code is drawn).
    pub module_px: u32,
    /// Where the caption and the address go.
    pub caption: Rect,
    /// Whether the caption sits beside the code (a wide region) or over it (a tall one).
    pub beside: bool,
    /// Whether the address is written out too: over the code only when its line costs the code
    /// no pixel per module.
    pub address: bool,
}

/// Whether the caption takes the side of a region this much wider than tall, in caption sizes:
/// room for "Sprawdź kolejkę" on a line.
const BESIDE_MIN_EM: f32 = 6.0;

/// The address's type size, as a share of the caption's.
const ADDRESS_SHARE: f32 = 0.7;

/// The code's place in `layout`'s QR region on a `width`×`height` screen; `None` when the layout
/// has no region or it is empty.
pub fn placement(layout: &Layout, qr: &QueueQr, width: u32, height: u32) -> Option<QrPlacement> {
    let region = layout.qr.region.as_ref()?;
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let unit = w.min(h) / 100.0;
    let panel = pixels(region, w, h);
    if !(panel.w >= 1.0 && panel.h >= 1.0) {
        return None;
    }
    let pad = (layout.style.padding * unit).clamp(0.0, panel.w.min(panel.h) / 4.0);
    let inner = panel.inset(pad.max(0.0));
    let caption_px = (layout.qr.caption_size * unit).clamp(0.0, inner.h.max(0.0));
    let modules = qr.width_with_quiet_zone();
    let beside = inner.w - inner.h >= caption_px * BESIDE_MIN_EM;
    let (side, caption, address) = if beside {
        let side = inner.h.min(inner.w);
        let x = inner.x + side + pad;
        let caption = Rect::new(x, inner.y, (inner.right() - x).max(0.0), inner.h);
        (side, caption, true)
    } else {
        // Two lines of caption over the code, and a line of the address when it costs the
        // code nothing.
        let side_under = |text_h: f32| (inner.h - text_h - pad * 0.5).min(inner.w).max(0.0);
        let caption_h = caption_px * LINE_HEIGHT * 2.0;
        let with_address = caption_h + caption_px * ADDRESS_SHARE * LINE_HEIGHT;
        let address = qr.pixels_per_module(side_under(with_address))
            >= qr.pixels_per_module(side_under(caption_h));
        let text_h = if address { with_address } else { caption_h };
        (
            side_under(text_h),
            Rect::new(inner.x, inner.y, inner.w, text_h),
            address,
        )
    };
    let module_px = qr.pixels_per_module(side);
    let code = (module_px as usize * modules) as f32;
    // On whole pixels, so that every module is a crisp square of the same size.
    let (x, y) = if beside {
        (inner.x, inner.y + (inner.h - code) / 2.0)
    } else {
        (
            inner.x + (inner.w - code) / 2.0,
            inner.bottom() - code - (inner.h - caption.h - code - pad * 0.5).max(0.0) / 2.0,
        )
    };
    let square = Rect::new(x.round(), y.round(), code, code);
    let caption = if beside {
        caption
    } else {
        Rect::new(caption.x, inner.y, caption.w, (square.y - inner.y).max(0.0))
    };
    Some(QrPlacement {
        panel,
        square,
        module_px,
        caption,
        beside,
        address,
    })
}

fn pixels(r: &Region, w: f32, h: f32) -> Rect {
    let [x, y, rw, rh] = *r.get_ref();
    Rect::new(
        (x / 100.0 * w).round(),
        (y / 100.0 * h).round(),
        (rw / 100.0 * w).round(),
        (rh / 100.0 * h).round(),
    )
}

/// Polish typesetting keeps a one-letter word ("w", "z", "i") with the word after it, never
/// alone at the end of a line: "Sprawdź kolejkę / w telefonie", not "Sprawdź kolejkę w /
/// telefonie".
fn keep_short_words(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out = String::with_capacity(text.len() + 4);
    for (i, w) in words.iter().enumerate() {
        out.push_str(w);
        if i + 1 < words.len() {
            out.push(if w.chars().count() == 1 {
                '\u{a0}'
            } else {
                ' '
            });
        }
    }
    out
}

/// The address as people type it: without the scheme and a trailing slash.
fn address(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.strip_suffix('/').unwrap_or(rest)
}

impl SceneBuilder<'_> {
    /// The code's place on this screen, when one is shown.
    pub(super) fn qr_placement(&self) -> Option<QrPlacement> {
        let qr = self.status.queue_qr.as_ref()?;
        placement(self.layout, qr, self.w as u32, self.h as u32)
    }

    /// A panel's region in pixels, less the room the code takes from it when one is shown: the
    /// panel ends a gap before the code's region, above it or to its left, whichever keeps more
    /// of the panel. Without a code every panel keeps its whole region.
    pub(super) fn panel_region(&self, r: &Region) -> Rect {
        let rect = self.region(r);
        let Some(q) = self.qr_placement().map(|p| p.panel) else {
            return rect;
        };
        let overlaps = q.x < rect.right() && q.right() > rect.x && q.y < rect.bottom();
        if !overlaps || q.bottom() <= rect.y {
            return rect;
        }
        let gap = self.u(1.5);
        let above = (q.y > rect.y).then(|| (q.y - gap - rect.y).max(0.0) * rect.w);
        let left = (q.x > rect.x).then(|| (q.x - gap - rect.x).max(0.0) * rect.h);
        match (above, left) {
            (Some(a), l) if l.is_none_or(|l| a >= l) => {
                Rect::new(rect.x, rect.y, rect.w, (q.y - gap - rect.y).max(0.0))
            }
            (_, Some(_)) => Rect::new(rect.x, rect.y, (q.x - gap - rect.x).max(0.0), rect.h),
            _ => rect,
        }
    }

    /// The code, its caption and its address, when the installation has a queue page and the
    /// layout a place for it.
    pub(super) fn queue_code(&mut self) {
        let Some(qr) = self.status.queue_qr.clone() else {
            return;
        };
        let Some(p) = self.qr_placement() else {
            return;
        };
        let c = self.colors();
        self.panel(p.panel, c.panel.0);
        if p.module_px > 0 {
            // Dark on white whatever the layout's colours: phones read dark modules on a light
            // ground, and many cannot read the inverse.
            let m = p.module_px as f32;
            let radius = (m * 1.5).min(self.u(self.layout.style.radius));
            self.list
                .rect(p.square, radius, Color::rgb(0xFF, 0xFF, 0xFF));
            let origin = (
                p.square.x + m * QUIET_ZONE as f32,
                p.square.y + m * QUIET_ZONE as f32,
            );
            for (row, col, len) in qr.runs() {
                self.list.rect(
                    Rect::new(
                        origin.0 + col as f32 * m,
                        origin.1 + row as f32 * m,
                        len as f32 * m,
                        m,
                    ),
                    0.0,
                    Color::rgb(0, 0, 0),
                );
            }
        }
        let q = &self.layout.qr;
        let size = q.caption_size;
        let line = self.u(size) * LINE_HEIGHT;
        let (caption, url, align) = if p.beside {
            let mid = p.caption.y + p.caption.h * 0.62;
            (
                Rect::new(p.caption.x, p.caption.y, p.caption.w, mid - p.caption.y),
                Rect::new(p.caption.x, mid, p.caption.w, p.caption.bottom() - mid),
                Align::Left,
            )
        } else if !p.address {
            (p.caption, Rect::default(), Align::Center)
        } else {
            let url_h = (line * ADDRESS_SHARE).min(p.caption.h * 0.3);
            let cap_h = (p.caption.h - url_h).max(0.0);
            (
                Rect::new(p.caption.x, p.caption.y, p.caption.w, cap_h),
                Rect::new(p.caption.x, p.caption.y + cap_h, p.caption.w, url_h),
                Align::Center,
            )
        };
        let words = keep_short_words(&self.say_or("queue_caption", &q.caption));
        let subs = self.subtitles(|w| w.get("queue_caption").to_owned());
        let mut t = self
            .text(words.clone(), caption, size, c.text.0)
            .bold()
            .align(align)
            .valign(if p.beside {
                VAlign::Bottom
            } else {
                VAlign::Center
            })
            .lines(3)
            .shrink_to(self.u(size * 0.75));
        // Wrapped at its size where its lines fit the box, rather than shrunk onto one line
        // (the renderer shrinks before it wraps).
        let px = self.u(size);
        // A no-break space joins words for the renderer; the estimate is told so by a letter in
        // its place, which is wider than a space, so the estimate errs on the safe side.
        let probe = words.replace('\u{a0}', "n");
        let lines = metrics::lines_at(&probe, Weight::Bold, self.builtin_font(), px, caption.w);
        if lines <= 3 && lines as f32 * LINE_HEIGHT * px <= caption.h + 0.5 {
            t.min_size = t.size;
        }
        // Subtitle mode: the other languages under the caption where its box has room.
        self.text_with_subtitles_under(t, lines.clamp(1, 3), &subs, c.muted.0);
        // The address, for those who would rather type it, only where it fits whole at a
        // legible size: a cut address is a wrong one.
        let text = address(qr.url());
        let lines = if p.beside { 2 } else { 1 };
        let px = self.u(size * ADDRESS_SHARE);
        let smallest = self.u(metrics::LEGIBLE_PERCENT).max(px * 0.6).min(px);
        let needs = metrics::width_em(text, Weight::Regular, self.builtin_font()) * smallest;
        let fits = needs <= url.w * lines as f32 * 0.95 && url.h >= smallest * LINE_HEIGHT;
        if !p.address || !fits {
            return;
        }
        let mut t = self
            .text(text, url, size * ADDRESS_SHARE, c.muted.0)
            .align(align)
            .valign(if p.beside {
                VAlign::Top
            } else {
                VAlign::Center
            })
            .lines(lines);
        t.min_size = smallest;
        self.list.text(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_letter_words_keep_with_the_next() {
        assert_eq!(
            keep_short_words("Sprawdź kolejkę w telefonie"),
            "Sprawdź kolejkę w\u{a0}telefonie"
        );
        assert_eq!(keep_short_words("a"), "a");
    }

    #[test]
    fn the_address_drops_the_scheme_and_a_trailing_slash() {
        assert_eq!(
            address("https://rezerwacje.ereszow.pl/kolejka/"),
            "rezerwacje.ereszow.pl/kolejka"
        );
        assert_eq!(address("http://a.pl"), "a.pl");
    }
}
