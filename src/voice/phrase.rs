//! Phrase templates: what is said for a call, as a voice pack's `voice.toml` words it, e.g.
//! `"numer {ticket}, stanowisko {counter}"`.
//!
//! Pure: a template is parsed once when the pack is loaded and then filled in for each call,
//! giving the exact sequence of clips to play and the pauses between them.

use super::numerals;
use std::fmt;

/// The default phrase for a first call.
pub const DEFAULT_CALL: &str = "numer {ticket}, stanowisko {counter}";
/// The default phrase for a recall.
pub const DEFAULT_RECALL: &str = "ponownie numer {ticket}, stanowisko {counter}";
/// The default phrase for a first call that names no counter (a queue system that does not say
/// which desk: the resident goes to the desks and is shown there).
pub const DEFAULT_CALL_NO_COUNTER: &str = "numer {ticket}, zapraszamy";
/// The default phrase for a recall that names no counter.
pub const DEFAULT_RECALL_NO_COUNTER: &str = "ponownie numer {ticket}, zapraszamy";

/// Longest template accepted, in characters: a phrase is read aloud for every call, and a long
/// one is almost certainly a mistake (a paragraph pasted into the wrong key).
pub const MAX_TEMPLATE_CHARS: usize = 200;

/// One item of what is said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A word: one clip, looked up by the word itself (lower case).
    Word(String),
    /// A phrase break (a comma or full stop in the template): a longer gap than between words.
    Pause,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Word(String),
    Ticket,
    Counter,
    Pause,
}

/// A parsed phrase template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// A template that cannot be used, with the reason in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("`{{{0}}}` is not a placeholder; write {{ticket}} or {{counter}}")]
    UnknownPlaceholder(String),
    #[error("a `{{` is not closed by `}}`")]
    Unclosed,
    #[error("a `}}` has no `{{` before it")]
    StrayClose,
    #[error("the phrase never says the ticket: put {{ticket}} in it")]
    NoTicket,
    #[error("`{0}` mixes letters and digits or has characters that cannot be spoken")]
    BadWord(String),
    #[error("the phrase is {0} characters long; at most {max} are allowed", max = MAX_TEMPLATE_CHARS)]
    TooLong(usize),
    #[error("this phrase is said when no counter is known: leave {{counter}} out of it")]
    CounterUnknown,
}

impl Template {
    /// Parses a template. Words are split at white space; `,` `.` `;` `:` `!` `?` and dashes
    /// make a pause; `{ticket}` and `{counter}` are replaced by the spelled labels; a number
    /// written in digits is read as a numeral.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let len = text.chars().count();
        if len > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong(len));
        }
        let mut parts = Vec::new();
        let mut word = String::new();
        let mut chars = text.chars();
        let flush = |word: &mut String, parts: &mut Vec<Part>| -> Result<(), TemplateError> {
            if word.is_empty() {
                return Ok(());
            }
            let w = std::mem::take(word);
            if w.chars().all(char::is_alphabetic) {
                parts.push(Part::Word(w.to_lowercase()));
            } else if w.chars().all(|c| c.is_ascii_digit()) {
                parts.extend(
                    numerals::spell(&w)
                        .iter()
                        .map(|s| Part::Word(s.as_str().to_owned())),
                );
            } else {
                return Err(TemplateError::BadWord(w));
            }
            Ok(())
        };
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    flush(&mut word, &mut parts)?;
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => return Err(TemplateError::Unclosed),
                        }
                    }
                    parts.push(match name.trim() {
                        "ticket" => Part::Ticket,
                        "counter" => Part::Counter,
                        _ => return Err(TemplateError::UnknownPlaceholder(name)),
                    });
                }
                '}' => return Err(TemplateError::StrayClose),
                ',' | '.' | ';' | ':' | '!' | '?' | '-' | '–' | '—' => {
                    flush(&mut word, &mut parts)?;
                    parts.push(Part::Pause);
                }
                c if c.is_whitespace() => flush(&mut word, &mut parts)?,
                c => word.push(c),
            }
        }
        flush(&mut word, &mut parts)?;
        if !parts.contains(&Part::Ticket) {
            return Err(TemplateError::NoTicket);
        }
        Ok(Template {
            source: text.to_owned(),
            parts,
        })
    }

    /// Parses a template for calls that name no counter: `{counter}` has nothing to say there.
    pub fn parse_without_counter(text: &str) -> Result<Template, TemplateError> {
        let template = Template::parse(text)?;
        if template.parts.contains(&Part::Counter) {
            return Err(TemplateError::CounterUnknown);
        }
        Ok(template)
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The words the template itself says (not the ticket's or counter's), each once.
    pub fn fixed_words(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.parts {
            if let Part::Word(w) = p
                && !out.contains(&w.as_str())
            {
                out.push(w);
            }
        }
        out
    }

    /// What is said for `ticket` at `counter`. Pauses never start or end the result and never
    /// come twice in a row, whatever the template and labels (an empty counter label leaves
    /// "stanowisko ," behind otherwise).
    pub fn render(&self, ticket: &str, counter: &str) -> Vec<Item> {
        let mut items = Vec::new();
        let push_label = |items: &mut Vec<Item>, label: &str| {
            items.extend(
                numerals::spell(label)
                    .into_iter()
                    .map(|s| Item::Word(s.as_str().to_owned())),
            );
        };
        for p in &self.parts {
            match p {
                Part::Word(w) => items.push(Item::Word(w.clone())),
                Part::Ticket => push_label(&mut items, ticket),
                Part::Counter => push_label(&mut items, counter),
                Part::Pause => {
                    if matches!(items.last(), Some(Item::Word(_))) {
                        items.push(Item::Pause);
                    }
                }
            }
        }
        while items.last() == Some(&Item::Pause) {
            items.pop();
        }
        items
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The phrases of a voice pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrases {
    pub call: Template,
    pub recall: Template,
    /// Said for a call that names no counter; never has `{counter}`.
    pub call_no_counter: Template,
    /// Said for a recall that names no counter; never has `{counter}`.
    pub recall_no_counter: Template,
}

impl Default for Phrases {
    fn default() -> Self {
        let no_counter = |text| {
            Template::parse_without_counter(text)
                .expect("the default phrases without a counter parse")
        };
        Phrases {
            call: Template::parse(DEFAULT_CALL).expect("the default call phrase parses"),
            recall: Template::parse(DEFAULT_RECALL).expect("the default recall phrase parses"),
            call_no_counter: no_counter(DEFAULT_CALL_NO_COUNTER),
            recall_no_counter: no_counter(DEFAULT_RECALL_NO_COUNTER),
        }
    }
}

impl Phrases {
    /// What is said for a call (`recall` false) or a recall of `ticket` at `counter`, or with
    /// the phrases for no counter when the call names none.
    pub fn render(&self, ticket: &str, counter: Option<&str>, recall: bool) -> Vec<Item> {
        let template = match (counter.is_some(), recall) {
            (true, false) => &self.call,
            (true, true) => &self.recall,
            (false, false) => &self.call_no_counter,
            (false, true) => &self.recall_no_counter,
        };
        template.render(ticket, counter.unwrap_or(""))
    }

    /// Every word any call can need a clip for: the phrases' own words, then every numeral word
    /// and letter name, each once. Words a label spells out of a longer run of letters ("kasa")
    /// are not in it: they depend on the queue system's labels, not on the pack.
    pub fn vocabulary(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let fixed = [
            &self.call,
            &self.recall,
            &self.call_no_counter,
            &self.recall_no_counter,
        ]
        .into_iter()
        .flat_map(Template::fixed_words);
        for w in fixed.chain(numerals::vocabulary()) {
            if !out.iter().any(|o| o == w) {
                out.push(w.to_owned());
            }
        }
        out
    }
}

/// The words of `items`, without the pauses.
pub fn words(items: &[Item]) -> Vec<&str> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Word(w) => Some(w.as_str()),
            Item::Pause => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_the_words_of_the_default_phrase() {
        let p = Phrases::default();
        let items = p.render("A017", Some("3"), false);
        assert_eq!(
            words(&items),
            ["numer", "a", "siedemnaście", "stanowisko", "trzy"]
        );
        assert_eq!(
            items[3],
            Item::Pause,
            "the comma in the template is a pause: {items:?}"
        );
        assert_eq!(
            words(&p.render("B120", Some("3A"), false)),
            [
                "numer",
                "be",
                "sto",
                "dwadzieścia",
                "stanowisko",
                "trzy",
                "a"
            ]
        );
    }

    #[test]
    fn a_call_without_a_counter_has_its_own_phrase() {
        let p = Phrases::default();
        assert_eq!(
            words(&p.render("A017", None, false)),
            ["numer", "a", "siedemnaście", "zapraszamy"]
        );
        assert_eq!(
            words(&p.render("A017", None, true)),
            ["ponownie", "numer", "a", "siedemnaście", "zapraszamy"]
        );
        assert!(p.vocabulary().iter().any(|w| w == "zapraszamy"));
        assert_eq!(
            Template::parse_without_counter("numer {ticket}, stanowisko {counter}"),
            Err(TemplateError::CounterUnknown)
        );
    }

    #[test]
    fn a_recall_is_announced_differently() {
        let p = Phrases::default();
        assert_eq!(
            words(&p.render("A017", Some("3"), true)),
            [
                "ponownie",
                "numer",
                "a",
                "siedemnaście",
                "stanowisko",
                "trzy"
            ]
        );
    }

    #[test]
    fn an_office_can_word_its_own_phrase() {
        let t = Template::parse("Zapraszamy {ticket} do stanowiska numer {counter}.").unwrap();
        assert_eq!(
            words(&t.render("C5", "12")),
            [
                "zapraszamy",
                "ce",
                "pięć",
                "do",
                "stanowiska",
                "numer",
                "dwanaście"
            ]
        );
        assert_eq!(t.fixed_words(), ["zapraszamy", "do", "stanowiska", "numer"]);
        // Digits in the template are numerals too.
        let t = Template::parse("{ticket} okienko 2").unwrap();
        assert_eq!(words(&t.render("A1", "")), ["a", "jeden", "okienko", "dwa"]);
    }

    #[test]
    fn pauses_never_lead_trail_or_repeat() {
        let t = Template::parse(", {ticket},, {counter} .").unwrap();
        assert_eq!(
            t.render("A1", ""),
            [Item::Word("a".into()), Item::Word("jeden".into())]
        );
        assert_eq!(
            t.render("A1", "2"),
            [
                Item::Word("a".into()),
                Item::Word("jeden".into()),
                Item::Pause,
                Item::Word("dwa".into())
            ]
        );
    }

    #[test]
    fn bad_templates_are_refused_with_the_reason() {
        use TemplateError::*;
        assert_eq!(
            Template::parse("numer {tiket}"),
            Err(UnknownPlaceholder("tiket".into()))
        );
        assert_eq!(Template::parse("numer {ticket"), Err(Unclosed));
        assert_eq!(Template::parse("numer ticket}"), Err(StrayClose));
        assert_eq!(Template::parse("stanowisko {counter}"), Err(NoTicket));
        assert_eq!(Template::parse("{ticket} nr3"), Err(BadWord("nr3".into())));
        assert!(matches!(
            Template::parse(&format!("{{ticket}}{}", " a".repeat(200))),
            Err(TooLong(_))
        ));
        // The messages name the mistake.
        assert!(
            UnknownPlaceholder("tiket".into())
                .to_string()
                .contains("{tiket}")
        );
    }

    #[test]
    fn vocabulary_covers_every_call() {
        let p = Phrases::default();
        let v = p.vocabulary();
        for w in [
            "numer",
            "stanowisko",
            "ponownie",
            "siedemnaście",
            "tysiące",
            "igrek",
        ] {
            assert!(v.iter().any(|x| x == w), "{w}");
        }
        for n in [0u32, 17, 212, 1000, 2341, 9999] {
            for recall in [false, true] {
                for w in words(&p.render(&format!("Ż{n}"), Some(&format!("{n}Q")), recall)) {
                    assert!(v.iter().any(|x| x == w), "{w}");
                }
            }
        }
    }
}
