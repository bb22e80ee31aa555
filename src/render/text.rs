//! Text fitting: choosing the size and the lines that make a [`TextItem`] fit its box.
//!
//! Everything here runs on the CPU with cosmic-text only, so the rules can be tested without a
//! GPU. The contract, relied on by the scene layer:
//!
//! * A line box is [`LINE_HEIGHT`] × the font size tall; `n` lines need `n` line boxes.
//! * If the text is wider (or taller) than its box at `size`, it is set smaller, step by step, down
//!   to `min_size`.
//! * If it still does not fit, it wraps onto up to `max_lines` lines at `min_size` and the last
//!   line is cut with "…".
//! * The laid-out block never leaves the box. A box too short for one line at `min_size` gets a
//!   smaller size rather than overflowing, and the renderer additionally clips glyphs to the box.

use std::collections::HashMap;
use std::sync::Arc;

use glyphon::cosmic_text::{Align as CtAlign, Ellipsize, EllipsizeHeightLimit};
use glyphon::{Attrs, Buffer, Family, FontSystem, Metrics, Shaping, Wrap};

use crate::fonts::BUILTIN_FAMILY;
use crate::scene::display::{Align, Rect, TextItem, VAlign, Weight};

/// Line box height as a multiple of the font size.
pub const LINE_HEIGHT: f32 = 1.2;

/// Font sizes are rounded down to this step. Glyphs are rasterised and cached per exact size, so
/// a coarse grid keeps the glyph atlas from filling with near-identical sizes.
const SIZE_STEP: f32 = 0.5;

/// Text asked for below one pixel is not drawn (nothing would be legible), and sizes above the
/// maximum are clamped so that a glyph always fits a glyph atlas texture.
const MIN_PX: f32 = 1.0;
const MAX_PX: f32 = 1200.0;

/// Longer texts are cut before shaping. No box on a board shows more, and shaping megabytes of
/// text every time a layout is edited would stall the frame.
const MAX_CHARS: usize = 2000;

/// Widths may exceed the box by this much before a line counts as too wide, absorbing float noise
/// from shaping.
const WIDTH_EPSILON: f32 = 0.01;

/// One laid-out line, in pixels relative to the left edge of the box.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedLine {
    /// The characters shown on this line (without an inserted ellipsis).
    pub text: String,
    /// Left edge of the line's advance box, relative to the box's left edge.
    pub x: f32,
    /// Advance width of the line, ellipsis included.
    pub width: f32,
    /// True if this line ends in an inserted "…".
    pub ellipsis: bool,
}

/// The outcome of [`fit`]: the size the text is set at and its lines, ready to draw.
#[derive(Debug, Clone)]
pub struct FittedText {
    /// Font size in pixels actually used.
    pub size: f32,
    /// Height of one line box in pixels.
    pub line_height: f32,
    pub lines: Vec<FittedLine>,
    /// Offset of the first line box from the top of the box (vertical alignment).
    pub top: f32,
    /// True if the size is below the requested `size`.
    pub shrunk: bool,
    /// True if the text was cut with an ellipsis.
    pub ellipsized: bool,
    buffer: Option<Buffer>,
}

impl FittedText {
    fn empty() -> Self {
        FittedText {
            size: 0.0,
            line_height: 0.0,
            lines: Vec::new(),
            top: 0.0,
            shrunk: false,
            ellipsized: false,
            buffer: None,
        }
    }

    /// Total height of the line boxes.
    pub fn height(&self) -> f32 {
        self.lines.len() as f32 * self.line_height
    }

    /// True if there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The shaped buffer to hand to glyphon, placed with its top-left at
    /// `(rect.x, rect.y + self.top)`.
    pub fn buffer(&self) -> Option<&Buffer> {
        self.buffer.as_ref()
    }

    /// The area covered by the line boxes when the text is drawn in `rect`.
    pub fn extent(&self, rect: Rect) -> Rect {
        if self.lines.is_empty() {
            return Rect::new(rect.x, rect.y, 0.0, 0.0);
        }
        let left = self.lines.iter().map(|l| l.x).fold(f32::INFINITY, f32::min);
        let right = self
            .lines
            .iter()
            .map(|l| l.x + l.width)
            .fold(f32::NEG_INFINITY, f32::max);
        Rect::new(
            rect.x + left,
            rect.y + self.top,
            right - left,
            self.height(),
        )
    }
}

/// True if every field of the rectangle is a finite number and it has an area.
pub(crate) fn rect_is_drawable(r: &Rect) -> bool {
    [r.x, r.y, r.w, r.h].iter().all(|v| v.is_finite()) && r.w > 0.0 && r.h > 0.0
}

/// Collapses runs of whitespace (newlines and tabs included) into single spaces and trims.
/// Wrapping is automatic, so explicit breaks would only fight the fitting rules. A no-break
/// space stays: it is how the scene keeps a word with the next ("w\u{a0}telefonie").
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 4));
    let words = text
        .split(|c: char| c.is_whitespace() && c != '\u{a0}')
        .filter(|w| !w.is_empty());
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if let Some((cut, _)) = out.char_indices().nth(MAX_CHARS) {
        out.truncate(cut);
    }
    out
}

fn quantise_down(size: f32) -> f32 {
    (size / SIZE_STEP).floor() * SIZE_STEP
}

fn attrs_for(item: &TextItem) -> Attrs<'_> {
    let family = match item.family.as_deref() {
        Some(name) if !name.trim().is_empty() => Family::Name(name),
        _ => Family::Name(BUILTIN_FAMILY),
    };
    let weight = match item.weight {
        Weight::Regular => glyphon::Weight::NORMAL,
        Weight::Bold => glyphon::Weight::BOLD,
    };
    Attrs::new().family(family).weight(weight)
}

fn ct_align(align: Align) -> CtAlign {
    match align {
        Align::Left => CtAlign::Left,
        Align::Center => CtAlign::Center,
        Align::Right => CtAlign::Right,
    }
}

/// A scratch buffer for measuring and the final layout.
struct TextLayout<'a> {
    fonts: &'a mut FontSystem,
    buffer: Buffer,
    text: &'a str,
    attrs: Attrs<'a>,
    align: CtAlign,
}

impl TextLayout<'_> {
    /// Lays the text out on one unbounded line at `size` and returns its width.
    fn single_line_width(&mut self, size: f32) -> f32 {
        self.buffer
            .set_metrics(Metrics::new(size, size * LINE_HEIGHT));
        self.buffer.set_wrap(Wrap::None);
        self.buffer.set_ellipsize(Ellipsize::None);
        self.buffer.set_size(None, None);
        self.buffer.shape_until_scroll(self.fonts, false);
        self.buffer
            .layout_runs()
            .map(|run| run.line_w)
            .fold(0.0, f32::max)
    }

    /// Final layout at `size` within `width` on at most `lines` lines, the last one cut with
    /// "…" if the text does not fit.
    ///
    /// Wrapped text is split into explicit paragraphs at the wrap points and each paragraph is
    /// laid out as one ellipsized line. Letting cosmic-text wrap and ellipsize in one go leaves
    /// the space at a wrap point at the start of the ellipsized line, visibly indenting it.
    fn final_layout(&mut self, size: f32, width: f32, lines: usize) {
        self.buffer
            .set_metrics(Metrics::new(size, size * LINE_HEIGHT));
        self.buffer
            .set_text(self.text, &self.attrs, Shaping::Advanced, Some(self.align));
        if lines > 1 {
            self.buffer.set_wrap(Wrap::WordOrGlyph);
            self.buffer.set_ellipsize(Ellipsize::None);
            self.buffer.set_size(Some(width), None);
            self.buffer.shape_until_scroll(self.fonts, false);
            let mut starts: Vec<usize> = self
                .buffer
                .layout_runs()
                .filter_map(|run| run.glyphs.iter().map(|g| g.start).min())
                .collect();
            starts.sort_unstable();
            starts.dedup();
            starts.truncate(lines);
            if starts.len() > 1 {
                let mut ends: Vec<usize> = starts[1..].to_vec();
                ends.push(self.text.len());
                let paragraphs: Vec<&str> = starts
                    .iter()
                    .zip(&ends)
                    .map(|(&a, &b)| self.text.get(a..b).unwrap_or("").trim())
                    .collect();
                self.buffer.set_text(
                    &paragraphs.join("\n"),
                    &self.attrs,
                    Shaping::Advanced,
                    Some(self.align),
                );
            }
        }
        self.buffer.set_wrap(Wrap::None);
        self.buffer
            .set_ellipsize(Ellipsize::End(EllipsizeHeightLimit::Lines(1)));
        self.buffer.set_size(Some(width), None);
        self.buffer.shape_until_scroll(self.fonts, false);
    }

    fn lines(&self) -> Vec<FittedLine> {
        self.buffer
            .layout_runs()
            .map(|run| {
                // cosmic-text marks the glyphs of an inserted ellipsis with an empty source
                // range; the other glyphs span the characters actually shown.
                let real = || run.glyphs.iter().filter(|g| g.start < g.end);
                let start = real().map(|g| g.start).min().unwrap_or(0);
                let end = real().map(|g| g.end).max().unwrap_or(0);
                let x = run.glyphs.iter().map(|g| g.x).fold(f32::INFINITY, f32::min);
                FittedLine {
                    text: run.text.get(start..end).unwrap_or("").to_owned(),
                    x: if x.is_finite() { x } else { 0.0 },
                    width: run.line_w,
                    ellipsis: run.glyphs.iter().any(|g| g.start == g.end),
                }
            })
            .collect()
    }
}

/// Fits `item.text` into `item.rect` following the rules in the module documentation.
///
/// Bad input (empty or whitespace-only text, a zero-size or non-finite box, a non-finite size)
/// yields an empty result rather than an error: the board simply shows nothing there.
pub fn fit(fonts: &mut FontSystem, item: &TextItem) -> FittedText {
    let rect = item.rect;
    let text = normalise(&item.text);
    if text.is_empty() || !rect_is_drawable(&rect) || !item.size.is_finite() || item.size < MIN_PX {
        return FittedText::empty();
    }
    let wanted = item.size.clamp(MIN_PX, MAX_PX);
    let min_size = if item.min_size.is_finite() && item.min_size > 0.0 {
        item.min_size.clamp(MIN_PX, wanted)
    } else {
        wanted
    };
    // One line box must fit the height; a box too short for `min_size` lowers the floor, because
    // never leaving the box outranks the minimum size.
    let height_cap = rect.h / LINE_HEIGHT;
    if height_cap < MIN_PX {
        return FittedText::empty();
    }
    let start = quantise_down(wanted.min(height_cap)).max(MIN_PX);
    let floor = quantise_down(min_size.min(start)).max(MIN_PX);

    let attrs = attrs_for(item);
    let mut buffer = Buffer::new_empty(Metrics::new(start, start * LINE_HEIGHT));
    buffer.set_text(&text, &attrs, Shaping::Advanced, Some(ct_align(item.align)));
    let mut layout = TextLayout {
        fonts,
        buffer,
        text: &text,
        attrs,
        align: ct_align(item.align),
    };

    let mut size = start;
    let mut fits = false;
    let natural = layout.single_line_width(size);
    if natural <= rect.w + WIDTH_EPSILON {
        fits = true;
    } else if size > floor {
        // Width scales almost linearly with size, so jump close to the answer first and then
        // step down until it fits, instead of shaping at every step from the top.
        size = quantise_down(size * rect.w / natural).clamp(floor, size);
        loop {
            if layout.single_line_width(size) <= rect.w + WIDTH_EPSILON {
                fits = true;
                break;
            }
            if size <= floor {
                break;
            }
            size = quantise_down(size - (size * 0.03).max(SIZE_STEP)).max(floor);
        }
    }

    let max_lines = item.max_lines.max(1) as usize;
    let line_slots = if fits {
        1
    } else {
        let by_height = (rect.h / (size * LINE_HEIGHT) + 1e-4).floor() as usize;
        max_lines.min(by_height).max(1)
    };

    // The ellipsis itself may be wider than a very narrow box; shrink further until the final
    // layout respects the box, and give up (draw nothing) rather than overflow.
    for _ in 0..8 {
        layout.final_layout(size, rect.w, line_slots);
        let lines = layout.lines();
        let widest = lines.iter().map(|l| l.x + l.width).fold(0.0, f32::max);
        let height = lines.len() as f32 * size * LINE_HEIGHT;
        if !lines.is_empty()
            && lines.len() <= line_slots
            && widest <= rect.w + WIDTH_EPSILON
            && height <= rect.h + WIDTH_EPSILON
        {
            let ellipsized = lines.iter().any(|l| l.ellipsis);
            let line_height = size * LINE_HEIGHT;
            let slack = (rect.h - height).max(0.0);
            let top = match item.valign {
                VAlign::Top => 0.0,
                VAlign::Center => slack / 2.0,
                VAlign::Bottom => slack,
            };
            return FittedText {
                size,
                line_height,
                lines,
                top,
                shrunk: size < wanted,
                ellipsized,
                buffer: Some(layout.buffer),
            };
        }
        size = quantise_down(size * 0.7);
        if size < MIN_PX {
            break;
        }
    }
    tracing::debug!(text = %text, ?rect, "text does not fit its box at any size; not drawn");
    FittedText::empty()
}

/// What makes two fitted texts identical, so that a shaped buffer can be reused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TextKey {
    text: String,
    size: u32,
    min_size: u32,
    family: Option<Arc<str>>,
    width: u32,
    height: u32,
    max_lines: u32,
    /// Weight, alignment and vertical alignment packed into one byte, because the scene's enums
    /// do not implement `Hash`.
    style: u8,
}

impl TextKey {
    fn of(item: &TextItem) -> Self {
        TextKey {
            text: item.text.clone(),
            size: item.size.to_bits(),
            min_size: item.min_size.to_bits(),
            family: item.family.clone(),
            width: item.rect.w.to_bits(),
            height: item.rect.h.to_bits(),
            max_lines: item.max_lines,
            style: (item.weight as u8) | (item.align as u8) << 1 | (item.valign as u8) << 3,
        }
    }
}

struct CacheEntry {
    fitted: FittedText,
    last_used: u64,
}

/// Fitted, shaped texts kept across frames.
///
/// A board redraws the same labels every frame; only a clock or a counter changes. Entries are
/// keyed by everything that affects shaping and fitting (not position or colour), and entries not
/// used in the current frame are swept once the cache holds more than its capacity.
pub struct TextCache {
    entries: HashMap<TextKey, CacheEntry>,
    frame: u64,
    capacity: usize,
    misses: u64,
}

/// A handle to a fitted text in the cache, valid until the next [`TextCache::end_frame`].
#[derive(Debug, Clone)]
pub struct TextHandle(TextKey);

impl TextCache {
    pub fn new(capacity: usize) -> Self {
        TextCache {
            entries: HashMap::new(),
            frame: 0,
            capacity: capacity.max(1),
            misses: 0,
        }
    }

    /// Returns the fitted text for `item`, fitting and shaping it only if it is not cached.
    pub fn fit(&mut self, fonts: &mut FontSystem, item: &TextItem) -> TextHandle {
        let key = TextKey::of(item);
        let frame = self.frame;
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.last_used = frame;
        } else {
            self.misses += 1;
            let fitted = fit(fonts, item);
            self.entries.insert(
                key.clone(),
                CacheEntry {
                    fitted,
                    last_used: frame,
                },
            );
        }
        TextHandle(key)
    }

    pub fn get(&self, handle: &TextHandle) -> Option<&FittedText> {
        self.entries.get(&handle.0).map(|e| &e.fitted)
    }

    /// Marks the end of a frame and evicts unused entries if the cache is over capacity.
    pub fn end_frame(&mut self) {
        if self.entries.len() > self.capacity {
            let frame = self.frame;
            self.entries.retain(|_, e| e.last_used == frame);
        }
        self.frame += 1;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many texts have been shaped since the cache was created.
    pub fn misses(&self) -> u64 {
        self.misses
    }
}

#[cfg(test)]
mod tests;
