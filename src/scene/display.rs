//! The display list: what to draw, in pixels, with no knowledge of the board.
//!
//! The scene builder produces a [`DisplayList`] from (state, layout, time); the renderer draws it.
//! Everything here is plain data so that scenes can be compared and tested without a GPU.

use std::path::PathBuf;
use std::sync::Arc;

pub use crate::color::Color;

/// A rectangle in pixels, origin at the top left of the frame, y down.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Rect { x, y, w, h }
    }

    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    /// Shrinks the rectangle by `d` on every side (never below zero size).
    pub fn inset(&self, d: f32) -> Rect {
        self.inset_xy(d, d)
    }

    pub fn inset_xy(&self, dx: f32, dy: f32) -> Rect {
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            w: (self.w - 2.0 * dx).max(0.0),
            h: (self.h - 2.0 * dy).max(0.0),
        }
    }

    pub fn contains(&self, other: &Rect) -> bool {
        const EPS: f32 = 0.5;
        other.x >= self.x - EPS
            && other.y >= self.y - EPS
            && other.right() <= self.right() + EPS
            && other.bottom() <= self.bottom() + EPS
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VAlign {
    Top,
    #[default]
    Center,
    Bottom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weight {
    #[default]
    Regular,
    Bold,
}

/// A filled rounded rectangle with an optional border drawn inside its edge.
#[derive(Debug, Clone, PartialEq)]
pub struct RectItem {
    pub rect: Rect,
    /// Corner radius in pixels (clamped to half the shorter side).
    pub radius: f32,
    pub fill: Color,
    /// Border width in pixels and colour; `None` for no border.
    pub border: Option<(f32, Color)>,
}

/// A block arrow pointing right, filling `rect`, used for "ticket → counter".
#[derive(Debug, Clone, PartialEq)]
pub struct ArrowItem {
    pub rect: Rect,
    pub color: Color,
}

/// A run of text laid out inside a box.
///
/// The renderer guarantees the text never leaves `rect`: when it does not fit at `size` it is set
/// smaller, down to `min_size`, and what still does not fit is cut with an ellipsis ("…"), except
/// texts made [`TextItem::whole`], whose smallest size is as small as their box needs.
#[derive(Debug, Clone, PartialEq)]
pub struct TextItem {
    pub text: String,
    pub rect: Rect,
    /// Font size in pixels.
    pub size: f32,
    /// Smallest size the text may shrink to before it is ellipsized; equal to `size` to never
    /// shrink.
    pub min_size: f32,
    pub color: Color,
    pub weight: Weight,
    pub align: Align,
    pub valign: VAlign,
    /// Lines the text may wrap onto; 1 for a single line.
    pub max_lines: u32,
    /// Font family name; `None` for the built-in font.
    pub family: Option<Arc<str>>,
}

impl TextItem {
    /// A single line of regular text, left-aligned and vertically centred, that never shrinks.
    pub fn new(text: impl Into<String>, rect: Rect, size: f32, color: Color) -> Self {
        TextItem {
            text: text.into(),
            rect,
            size,
            min_size: size,
            color,
            weight: Weight::Regular,
            align: Align::Left,
            valign: VAlign::Center,
            max_lines: 1,
            family: None,
        }
    }

    pub fn bold(mut self) -> Self {
        self.weight = Weight::Bold;
        self
    }

    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    pub fn valign(mut self, valign: VAlign) -> Self {
        self.valign = valign;
        self
    }

    pub fn shrink_to(mut self, min_size: f32) -> Self {
        self.min_size = min_size.min(self.size);
        self
    }

    /// Never cut: the text is set smaller, as far as its box needs, rather than ending in "…".
    /// For what a resident acts on — ticket numbers, counters, the clock and the date — where a
    /// cut text is a wrong one ("A01…" is not A017). Only as small as the box makes it: a text
    /// that fits keeps its size.
    pub fn whole(mut self) -> Self {
        self.min_size = self.size.min(1.0);
        self
    }

    pub fn lines(mut self, max_lines: u32) -> Self {
        self.max_lines = max_lines.max(1);
        self
    }

    pub fn family(mut self, family: Option<Arc<str>>) -> Self {
        self.family = family;
        self
    }
}

/// How an image fills its rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageFit {
    /// Whole image visible, aspect ratio kept, centred.
    #[default]
    Contain,
    /// Rectangle fully covered, aspect ratio kept, overflow cropped.
    Cover,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageItem {
    pub rect: Rect,
    /// The image file (PNG or JPEG).
    pub path: PathBuf,
    pub fit: ImageFit,
    pub opacity: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Rect(RectItem),
    Arrow(ArrowItem),
    Text(TextItem),
    Image(ImageItem),
}

/// One frame: a background colour and items drawn in order, later ones on top.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayList {
    pub width: u32,
    pub height: u32,
    pub clear: Color,
    pub items: Vec<Item>,
}

impl DisplayList {
    pub fn new(width: u32, height: u32, clear: Color) -> Self {
        DisplayList {
            width,
            height,
            clear,
            items: Vec::new(),
        }
    }

    pub fn rect(&mut self, rect: Rect, radius: f32, fill: Color) {
        self.items.push(Item::Rect(RectItem {
            rect,
            radius,
            fill,
            border: None,
        }));
    }

    pub fn text(&mut self, text: TextItem) {
        self.items.push(Item::Text(text));
    }

    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    pub fn texts(&self) -> impl Iterator<Item = &TextItem> {
        self.items.iter().filter_map(|i| match i {
            Item::Text(t) => Some(t),
            _ => None,
        })
    }
}
