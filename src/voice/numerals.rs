//! Polish words for what a call contains: cardinal numerals 0–9999 in the nominative, the names
//! of the letters used in ticket prefixes, and the spelling of a ticket or counter label as a
//! sequence of such words.
//!
//! Pure: no I/O. Every word returned here is one clip in a voice pack, so the words are kept as
//! separate items ("dwa", "tysiące", …) rather than joined into a sentence.

/// The largest number spoken as a numeral. A longer run of digits is read digit by digit, as
/// people read a long reference number aloud.
pub const MAX_NUMERAL: u32 = 9999;

const UNITS: [&str; 10] = [
    "zero",
    "jeden",
    "dwa",
    "trzy",
    "cztery",
    "pięć",
    "sześć",
    "siedem",
    "osiem",
    "dziewięć",
];
const TEENS: [&str; 10] = [
    "dziesięć",
    "jedenaście",
    "dwanaście",
    "trzynaście",
    "czternaście",
    "piętnaście",
    "szesnaście",
    "siedemnaście",
    "osiemnaście",
    "dziewiętnaście",
];
/// Index = tens digit; 0 and 1 are never used (teens are their own words).
const TENS: [&str; 10] = [
    "",
    "",
    "dwadzieścia",
    "trzydzieści",
    "czterdzieści",
    "pięćdziesiąt",
    "sześćdziesiąt",
    "siedemdziesiąt",
    "osiemdziesiąt",
    "dziewięćdziesiąt",
];
/// Index = hundreds digit; 0 is never used.
const HUNDREDS: [&str; 10] = [
    "",
    "sto",
    "dwieście",
    "trzysta",
    "czterysta",
    "pięćset",
    "sześćset",
    "siedemset",
    "osiemset",
    "dziewięćset",
];

/// The three forms of "thousand": one, few (2–4), many (5–9 here; 0–1 and 12–14 do not occur
/// below 10 000 except as the words for 1).
const THOUSAND_ONE: &str = "tysiąc";
const THOUSAND_FEW: &str = "tysiące";
const THOUSAND_MANY: &str = "tysięcy";

/// The number `n` (0–9999) as Polish nominative words, e.g. 2341 →
/// `["dwa", "tysiące", "trzysta", "czterdzieści", "jeden"]`. `None` above [`MAX_NUMERAL`].
pub fn cardinal(n: u32) -> Option<Vec<&'static str>> {
    if n > MAX_NUMERAL {
        return None;
    }
    if n == 0 {
        return Some(vec![UNITS[0]]);
    }
    let mut words = Vec::with_capacity(5);
    let thousands = (n / 1000) as usize;
    match thousands {
        0 => {}
        // "tysiąc", never "jeden tysiąc".
        1 => words.push(THOUSAND_ONE),
        2..=4 => words.extend([UNITS[thousands], THOUSAND_FEW]),
        _ => words.extend([UNITS[thousands], THOUSAND_MANY]),
    }
    let rest = n % 1000;
    let hundreds = (rest / 100) as usize;
    if hundreds > 0 {
        words.push(HUNDREDS[hundreds]);
    }
    let tens = (rest % 100 / 10) as usize;
    let units = (rest % 10) as usize;
    match tens {
        0 if units > 0 => words.push(UNITS[units]),
        0 => {}
        1 => words.push(TEENS[units]),
        _ => {
            words.push(TENS[tens]);
            if units > 0 {
                words.push(UNITS[units]);
            }
        }
    }
    Some(words)
}

/// The Polish name of a letter as read out in a ticket or counter label (case-insensitive).
/// `None` for characters that have no name here (digits, punctuation, other scripts); Polish
/// letters that no queue system uses in prefixes (Ą, Ę, Ń, Ó, Ś) are left out on purpose, so that
/// a pack needs no clips for them.
pub fn letter_name(c: char) -> Option<&'static str> {
    let lower = c.to_lowercase().next()?;
    Some(match lower {
        'a' => "a",
        'b' => "be",
        'c' => "ce",
        'ć' => "cie",
        'd' => "de",
        'e' => "e",
        'f' => "ef",
        'g' => "gie",
        'h' => "ha",
        'i' => "i",
        'j' => "jot",
        'k' => "ka",
        'l' => "el",
        'ł' => "eł",
        'm' => "em",
        'n' => "en",
        'o' => "o",
        'p' => "pe",
        'q' => "ku",
        'r' => "er",
        's' => "es",
        't' => "te",
        'u' => "u",
        'v' => "fau",
        'w' => "wu",
        'x' => "iks",
        'y' => "igrek",
        'z' => "zet",
        'ź' => "ziet",
        'ż' => "żet",
        _ => return None,
    })
}

/// The letters [`letter_name`] knows, upper case, in alphabetical order.
pub const LETTERS: &[char] = &[
    'A', 'B', 'C', 'Ć', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'Ł', 'M', 'N', 'O', 'P', 'Q',
    'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ź', 'Ż',
];

/// A run of letters longer than this is read as a word ("Kasa", "Okienko") rather than spelled
/// letter by letter: prefixes and counter suffixes are one to three letters ("A", "3A", "KW").
pub const MAX_SPELLED_LETTERS: usize = 3;

/// One item of a spelled label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spoken {
    /// A word with a fixed clip: a letter name or a numeral word.
    Word(&'static str),
    /// A longer run of letters, read as a word of its own (lower case); a pack may or may not
    /// have a clip for it.
    Free(String),
}

impl Spoken {
    pub fn as_str(&self) -> &str {
        match self {
            Spoken::Word(w) => w,
            Spoken::Free(w) => w,
        }
    }
}

/// A ticket or counter label as words: runs of digits become numerals without leading zeros
/// ("A017" → "a siedemnaście", "3A" → "trzy a"), runs of more than [`MAX_SPELLED_LETTERS`] digits
/// are read digit by digit, short runs of letters are spelled, longer runs are read as words.
/// Spaces, dashes and other punctuation only separate runs; letters without a Polish name are
/// left out (a label is never refused: the screen shows it anyway).
pub fn spell(label: &str) -> Vec<Spoken> {
    let mut out = Vec::new();
    let chars: Vec<char> = label.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            out.extend(number_words(&digits).into_iter().map(Spoken::Word));
        } else if c.is_alphabetic() {
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            let run = &chars[start..i];
            if run.len() <= MAX_SPELLED_LETTERS {
                out.extend(run.iter().filter_map(|c| letter_name(*c)).map(Spoken::Word));
            } else {
                out.push(Spoken::Free(
                    run.iter().flat_map(|c| c.to_lowercase()).collect(),
                ));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A run of ASCII digits as words: a numeral when it fits ([`cardinal`]), else digit by digit.
fn number_words(digits: &str) -> Vec<&'static str> {
    let significant = digits.trim_start_matches('0');
    // Up to four significant digits is a numeral, whatever the leading zeros ("0017" → 17).
    if significant.len() <= 4 {
        let n = significant.parse::<u32>().unwrap_or(0);
        if let Some(words) = cardinal(n) {
            return words;
        }
    }
    digits
        .bytes()
        .map(|b| UNITS[usize::from(b - b'0')])
        .collect()
}

/// Every word a spelled label can produce that has a fixed clip: all numeral words and all letter
/// names, each once, numerals first.
pub fn vocabulary() -> Vec<&'static str> {
    let mut words: Vec<&'static str> = Vec::new();
    let mut push = |w: &'static str| {
        if !w.is_empty() && !words.contains(&w) {
            words.push(w);
        }
    };
    UNITS.iter().for_each(|w| push(w));
    TEENS.iter().for_each(|w| push(w));
    TENS.iter().for_each(|w| push(w));
    HUNDREDS.iter().for_each(|w| push(w));
    [THOUSAND_ONE, THOUSAND_FEW, THOUSAND_MANY]
        .iter()
        .for_each(|w| push(w));
    LETTERS
        .iter()
        .filter_map(|c| letter_name(*c))
        .for_each(&mut push);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An independent rendering of the grammar, by string composition rather than by word lists:
    /// each number below 1000 is a phrase built from three tables, and the thousands get their
    /// noun by the Polish plural rule (1 → tysiąc; last digit 2–4 but not 12–14 → tysiące; else
    /// tysięcy). Written differently on purpose, so that a slip in one is caught by the other.
    fn reference(n: u32) -> String {
        let ones = [
            "",
            "jeden",
            "dwa",
            "trzy",
            "cztery",
            "pięć",
            "sześć",
            "siedem",
            "osiem",
            "dziewięć",
        ];
        let below_hundred = |m: u32| -> String {
            let (t, u) = ((m / 10) as usize, (m % 10) as usize);
            match t {
                0 => ones[u].to_owned(),
                1 => {
                    // The teens: the unit's stem plus "naście", with the sound changes of
                    // the spoken language spelled out.
                    let stem = [
                        "dzie",
                        "jede",
                        "dwa",
                        "trzy",
                        "czter",
                        "pięt",
                        "szes",
                        "siedem",
                        "osiem",
                        "dziewięt",
                    ][u];
                    if u == 0 {
                        "dziesięć".to_owned()
                    } else {
                        format!("{stem}naście")
                    }
                }
                _ => {
                    let tens = match t {
                        2 => "dwadzieścia".to_owned(),
                        3 => "trzydzieści".to_owned(),
                        4 => "czterdzieści".to_owned(),
                        _ => format!("{}dziesiąt", ones[t]),
                    };
                    if u == 0 {
                        tens
                    } else {
                        format!("{tens} {}", ones[u])
                    }
                }
            }
        };
        let below_thousand = |m: u32| -> String {
            let h = (m / 100) as usize;
            let hundreds = match h {
                0 => String::new(),
                1 => "sto".to_owned(),
                2 => "dwieście".to_owned(),
                3 | 4 => format!("{}sta", ones[h]),
                _ => format!("{}set", ones[h]),
            };
            [hundreds, below_hundred(m % 100)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        if n == 0 {
            return "zero".to_owned();
        }
        let k = n / 1000;
        let thousands = if k == 0 {
            String::new()
        } else if k == 1 {
            "tysiąc".to_owned()
        } else if (2..=4).contains(&(k % 10)) && !(12..=14).contains(&(k % 100)) {
            format!("{} tysiące", below_thousand(k))
        } else {
            format!("{} tysięcy", below_thousand(k))
        };
        [thousands, below_thousand(n % 1000)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn every_numeral_matches_the_reference_grammar() {
        for n in 0..=MAX_NUMERAL {
            let words = cardinal(n).expect("in range");
            assert_eq!(words.join(" "), reference(n), "{n}");
            assert!(words.iter().all(|w| !w.is_empty() && !w.contains(' ')));
        }
        assert_eq!(cardinal(MAX_NUMERAL + 1), None);
    }

    #[test]
    fn spot_checks() {
        let say = |n| cardinal(n).unwrap().join(" ");
        assert_eq!(say(0), "zero");
        assert_eq!(say(7), "siedem");
        assert_eq!(say(12), "dwanaście");
        assert_eq!(say(17), "siedemnaście");
        assert_eq!(say(40), "czterdzieści");
        assert_eq!(say(99), "dziewięćdziesiąt dziewięć");
        assert_eq!(say(100), "sto");
        assert_eq!(say(120), "sto dwadzieścia");
        assert_eq!(say(212), "dwieście dwanaście");
        assert_eq!(say(405), "czterysta pięć");
        assert_eq!(say(1000), "tysiąc");
        assert_eq!(say(1001), "tysiąc jeden");
        assert_eq!(say(2341), "dwa tysiące trzysta czterdzieści jeden");
        assert_eq!(say(4000), "cztery tysiące");
        assert_eq!(say(5000), "pięć tysięcy");
        assert_eq!(
            say(9999),
            "dziewięć tysięcy dziewięćset dziewięćdziesiąt dziewięć"
        );
    }

    #[test]
    fn letters_have_their_polish_names() {
        let expected = [
            ('A', "a"),
            ('B', "be"),
            ('C', "ce"),
            ('Ć', "cie"),
            ('D', "de"),
            ('E', "e"),
            ('F', "ef"),
            ('G', "gie"),
            ('H', "ha"),
            ('I', "i"),
            ('J', "jot"),
            ('K', "ka"),
            ('L', "el"),
            ('Ł', "eł"),
            ('M', "em"),
            ('N', "en"),
            ('O', "o"),
            ('P', "pe"),
            ('R', "er"),
            ('S', "es"),
            ('T', "te"),
            ('U', "u"),
            ('W', "wu"),
            ('Y', "igrek"),
            ('Z', "zet"),
            ('Ż', "żet"),
            ('Ź', "ziet"),
            ('Q', "ku"),
            ('V', "fau"),
            ('X', "iks"),
        ];
        for (c, name) in expected {
            assert_eq!(letter_name(c), Some(name), "{c}");
            let lower = c.to_lowercase().next().unwrap();
            assert_eq!(letter_name(lower), Some(name), "{lower}");
        }
        assert_eq!(expected.len(), LETTERS.len());
        assert_eq!(letter_name('7'), None);
        assert_eq!(letter_name('-'), None);
    }

    fn spelled(label: &str) -> String {
        spell(label)
            .iter()
            .map(Spoken::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn labels_are_spelled() {
        assert_eq!(spelled("A017"), "a siedemnaście");
        assert_eq!(spelled("B120"), "be sto dwadzieścia");
        assert_eq!(spelled("3A"), "trzy a");
        assert_eq!(spelled("3"), "trzy");
        assert_eq!(spelled("R-017"), "er siedemnaście");
        assert_eq!(spelled("A000"), "a zero");
        assert_eq!(spelled("KW12"), "ka wu dwanaście");
        assert_eq!(spelled("00012"), "dwanaście");
        // Too long for a numeral: read digit by digit.
        assert_eq!(spelled("A12345"), "a jeden dwa trzy cztery pięć");
        assert_eq!(spelled("Kasa 2"), "kasa dwa");
        assert_eq!(spell("Kasa 2")[0], Spoken::Free("kasa".into()));
        // Nothing nameable: nothing said, nothing refused.
        assert_eq!(spelled("#!"), "");
        assert_eq!(spelled("Ω"), "");
    }

    #[test]
    fn vocabulary_is_every_fixed_word_once() {
        let v = vocabulary();
        for n in 0..=MAX_NUMERAL {
            for w in cardinal(n).unwrap() {
                assert!(v.contains(&w), "{w}");
            }
        }
        for c in LETTERS {
            assert!(v.contains(&letter_name(*c).unwrap()));
        }
        let mut sorted = v.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), v.len());
    }
}
