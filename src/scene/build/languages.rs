//! The board in more than one language: which language the fixed words are in at a moment
//! (rotate mode), and the smaller lines in the other languages under them (subtitle mode).
//!
//! Ticket numbers, counters and service names are never part of this: they stay whatever the
//! language, so a resident never loses their number to a change of language.

use super::SceneBuilder;
use crate::layout::{Lang, Language, LanguageMode};
use crate::protocol::time::saturating_add;
use crate::scene::display::*;
use crate::scene::metrics::{self, LINE_HEIGHT};
use crate::scene::words::Words;
use jiff::{SignedDuration, Timestamp};

/// A subtitle's size as a share of the text it translates.
pub const SUBTITLE_SHARE: f32 = 0.62;
/// The smallest subtitle, in percent of the screen's shorter side: above the design check's
/// legible minimum (1.6), so that a subtitle is a second reading, not a decoration.
pub const SUBTITLE_SMALLEST: f32 = 1.7;

/// The languages a picture shows at `now`: the fixed words' language, the subtitles' languages
/// (subtitle mode), and when the fixed words next change language (rotate mode).
#[derive(Debug, Clone, PartialEq)]
pub struct Languages {
    pub main: Lang,
    pub subtitles: Vec<Lang>,
    /// The language of translated service names shown under the Polish ones, one line (rotate
    /// mode: the current foreign language, or the last one in a Polish turn, so that the line
    /// does not come and go).
    pub names: Vec<Lang>,
    pub next_switch: Option<Timestamp>,
}

/// Which languages show at `now`. Rotate mode turns Polish, then each other language, Polish
/// again, and so on (pl, uk, pl, en, …): Polish is on screen half of the time. The turn is a
/// function of the time alone, so every board of a layout turns together and any moment can be
/// rendered.
pub fn at(language: &Language, now: Timestamp) -> Languages {
    let shown = language.shown();
    let others = &shown[1..];
    if others.is_empty() {
        return Languages {
            main: Lang::Pl,
            subtitles: Vec::new(),
            names: Vec::new(),
            next_switch: None,
        };
    }
    if language.mode == LanguageMode::Subtitle {
        return Languages {
            main: Lang::Pl,
            subtitles: others.to_vec(),
            names: others.to_vec(),
            next_switch: None,
        };
    }
    // Within 2 s – 10 min whatever the layout says: the check keeps it there, but the scene must
    // not divide by zero on a value a file could not hold.
    let seconds = if language.rotate_seconds.is_nan() {
        8.0
    } else {
        language.rotate_seconds.clamp(2.0, 600.0)
    };
    let turn_ms = (seconds * 1000.0) as i64;
    let ms = now.as_millisecond();
    let turn = ms.div_euclid(turn_ms);
    let cycle = 2 * others.len() as i64;
    let phase = turn.rem_euclid(cycle) as usize;
    let main = if phase % 2 == 0 {
        Lang::Pl
    } else {
        others[phase / 2]
    };
    // In a Polish turn, the names keep the language of the turn before it.
    let names = others[(phase + cycle as usize - 1) % cycle as usize / 2];
    let next = SignedDuration::from_millis((turn + 1) * turn_ms - ms);
    Languages {
        main,
        subtitles: Vec::new(),
        names: vec![names],
        next_switch: Some(saturating_add(now, next)),
    }
}

impl SceneBuilder<'_> {
    /// The fixed words in the language shown now.
    pub(super) fn words(&self) -> Words<'static> {
        Words::of(self.langs.main)
    }

    /// The word for `key` now; `polish` is the layout's own text for it where the layout has one
    /// (a title), which wins for Polish.
    pub(super) fn say(&self, key: &'static str) -> String {
        self.words().get(key).to_owned()
    }

    /// Like [`Self::say`], for a text the layout sets in Polish.
    pub(super) fn say_or(&self, key: &'static str, polish: &str) -> String {
        if self.langs.main == Lang::Pl {
            polish.to_owned()
        } else {
            self.say(key)
        }
    }

    /// The subtitles of a fixed text, one per subtitle language, made by `f` (empty in rotate mode
    /// and on a Polish-only board).
    pub(super) fn subtitles(&self, f: impl Fn(&Words) -> String) -> Vec<String> {
        self.langs
            .subtitles
            .iter()
            .map(|l| f(&Words::of(*l)))
            .collect()
    }

    /// A subtitle's size for a text of `size` (percent of the shorter side).
    pub(super) fn subtitle_size(size: f32) -> f32 {
        (size * SUBTITLE_SHARE).max(SUBTITLE_SMALLEST)
    }

    /// Draws `main` with its `subtitles` beside it on the same line, smaller and lighter, when
    /// the box holds both at their sizes; else `main` alone. For titles and labels, whose box is
    /// one line high. The pair is placed as `main`'s alignment places it.
    pub(super) fn text_with_subtitles_beside(
        &mut self,
        main: TextItem,
        subtitles: &[String],
        sub_color: Color,
    ) {
        if subtitles.is_empty() {
            self.list.text(main);
            return;
        }
        let builtin = self.builtin_font();
        let sub_text = subtitles.join(" · ");
        let sub_px = self.u(Self::subtitle_size(main.size / self.unit));
        let main_w = metrics::width_em(&main.text, main.weight, builtin) * main.size;
        let sub_w = metrics::width_em(&sub_text, Weight::Regular, builtin) * sub_px;
        let gap = main.size * 0.6;
        let total = main_w + gap + sub_w;
        let r = main.rect;
        if total > r.w {
            self.left_out.push(main.text.clone());
            self.list.text(main);
            return;
        }
        let x = match main.align {
            Align::Left => r.x,
            Align::Center => r.x + (r.w - total) / 2.0,
            Align::Right => r.right() - total,
        };
        // Both on one baseline: the smaller line sits as low as the larger one's letters.
        let drop = (main.size - sub_px) * 0.8;
        let sub_y = match main.valign {
            VAlign::Top => r.y + drop,
            VAlign::Center => r.y + (r.h - main.size * LINE_HEIGHT) / 2.0 + drop,
            VAlign::Bottom => r.bottom() - main.size * LINE_HEIGHT + drop,
        };
        let mut main = main;
        // A little slack on the right: the measure is the font's, the renderer's may round up.
        main.rect = Rect::new(x, r.y, main_w + gap * 0.5, r.h);
        main.align = Align::Left;
        main.min_size = main.size;
        self.list.text(main);
        let sub = self
            .text(
                sub_text,
                Rect::new(
                    x + main_w + gap,
                    sub_y,
                    r.right() - (x + main_w + gap),
                    sub_px * 1.3,
                ),
                1.0,
                sub_color,
            )
            .valign(VAlign::Top)
            .whole();
        let mut sub = sub;
        sub.size = sub_px;
        sub.min_size = sub_px;
        self.list.text(sub);
    }

    /// Draws `main` with its `subtitles` under it, one line each, smaller and in `sub_color`,
    /// when its box holds `main`'s lines and theirs at their smallest; else `main` alone.
    /// Returns whether the subtitles were drawn.
    pub(super) fn text_with_subtitles_under(
        &mut self,
        main: TextItem,
        main_lines: u32,
        subtitles: &[String],
        sub_color: Color,
    ) -> bool {
        if subtitles.is_empty() {
            self.list.text(main);
            return false;
        }
        let sub_px = self.u(Self::subtitle_size(main.size / self.unit));
        let sub_smallest = self.u(SUBTITLE_SMALLEST);
        let main_h = main.size * LINE_HEIGHT * main_lines as f32;
        let n = subtitles.len() as f32;
        let r = main.rect;
        let room = r.h - main_h;
        if room < n * sub_smallest * LINE_HEIGHT {
            self.left_out.push(main.text.clone());
            self.list.text(main);
            return false;
        }
        let sub_px = sub_px.min(room / n / LINE_HEIGHT);
        let group = main_h + n * sub_px * LINE_HEIGHT;
        let top = match main.valign {
            VAlign::Top => r.y,
            VAlign::Center => r.y + (r.h - group) / 2.0,
            VAlign::Bottom => r.bottom() - group,
        };
        let mut first = main;
        let (align, family) = (first.align, first.family.clone());
        first.rect = Rect::new(r.x, top, r.w, main_h);
        first.valign = VAlign::Bottom;
        self.list.text(first);
        for (i, s) in subtitles.iter().enumerate() {
            let y = top + main_h + i as f32 * sub_px * LINE_HEIGHT;
            let mut t = TextItem::new(
                s.clone(),
                Rect::new(r.x, y, r.w, sub_px * LINE_HEIGHT),
                sub_px,
                sub_color,
            )
            .family(family.clone())
            .align(align)
            .valign(VAlign::Top);
            t.min_size = sub_smallest.min(sub_px);
            self.list.text(t);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotating(langs: &[Lang]) -> Language {
        Language {
            languages: langs.to_vec(),
            mode: LanguageMode::Rotate,
            rotate_seconds: 8.0,
        }
    }

    #[test]
    fn rotation_turns_polish_every_other_time_and_says_when() {
        let l = rotating(&[Lang::Pl, Lang::Uk, Lang::En]);
        // A whole number of 4-turn cycles of 8 s since the epoch (late 2026): a cycle starts.
        let t0 = Timestamp::from_second(32 * 56_000_000).unwrap();
        let mut seen = Vec::new();
        let mut polish = 0;
        for turn in 0..40 {
            let t = t0 + SignedDuration::from_millis(turn * 8000 + 3000);
            let at = at(&l, t);
            if at.main == Lang::Pl {
                polish += 1;
            }
            seen.push(at.main);
            assert_eq!(
                at.next_switch,
                Some(t0 + SignedDuration::from_millis((turn + 1) * 8000)),
                "{turn}"
            );
            assert_ne!(at.names, [Lang::Pl]);
        }
        assert_eq!(&seen[..4], [Lang::Pl, Lang::Uk, Lang::Pl, Lang::En]);
        assert_eq!(polish, 20);
        // Names keep the last foreign language through a Polish turn.
        assert_eq!(at(&l, t0 + SignedDuration::from_secs(17)).names, [Lang::Uk]);
        // A Polish-only layout never switches, so it never wakes the board for it.
        let pl = at(&rotating(&[Lang::Pl]), t0);
        assert_eq!((pl.main, pl.next_switch), (Lang::Pl, None));
        let sub = at(
            &Language {
                mode: LanguageMode::Subtitle,
                ..rotating(&[Lang::Uk, Lang::En])
            },
            t0,
        );
        assert_eq!(sub.subtitles, [Lang::Uk, Lang::En]);
        assert_eq!(sub.next_switch, None);
    }

    #[test]
    fn a_nonsense_period_does_not_stop_the_rotation() {
        let t0: Timestamp = "2026-11-30T11:00:00Z".parse().unwrap();
        for s in [f32::NAN, 0.0, -1.0, f32::INFINITY] {
            let l = Language {
                rotate_seconds: s,
                ..rotating(&[Lang::Uk])
            };
            assert!(at(&l, t0).next_switch.is_some_and(|n| n > t0), "{s}");
        }
    }
}
