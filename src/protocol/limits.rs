//! Bounds on what the display accepts from the network, and what servers MUST respect. Display
//! strings beyond them are cleaned (cut with "…"), numbers clamped and lists cut short;
//! identifiers and ticket labels beyond them make the message's data unusable. Either way no
//! message can make the board draw nonsense or grow memory without bound.

/// Largest text frame accepted, in bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Longest ticket label, in characters ("A123", "R-017").
pub const MAX_TICKET_CHARS: usize = 8;
/// Longest identifier (service, counter, office, announcement, display ids).
pub const MAX_ID_CHARS: usize = 32;
/// Longest stream name.
pub const MAX_STREAM_CHARS: usize = 64;
/// Longest name (office, service).
pub const MAX_NAME_CHARS: usize = 120;
/// Most translated names a service may carry.
pub const MAX_NAME_TRANSLATIONS: usize = 8;
/// Longest language code of a translated name ("uk", "en", "zh-Hant").
pub const MAX_LANGUAGE_CHARS: usize = 16;
/// Longest counter label.
pub const MAX_LABEL_CHARS: usize = 16;
/// Longest ticket prefix.
pub const MAX_PREFIX_CHARS: usize = 4;
/// Longest announcement text.
pub const MAX_TEXT_CHARS: usize = 280;
/// Most services in an office.
pub const MAX_SERVICES: usize = 64;
/// Most counters in an office.
pub const MAX_COUNTERS: usize = 128;
/// Most calls a snapshot may carry.
pub const MAX_RECENT_CALLS: usize = 100;
/// Most announcements at once.
pub const MAX_ANNOUNCEMENTS: usize = 32;
/// Largest plausible number of people waiting for one service.
pub const MAX_WAITING: u32 = 100_000;
/// Longest plausible wait estimate: one week, in seconds.
pub const MAX_EST_WAIT_S: u32 = 7 * 24 * 3600;
/// Largest `seq` (JavaScript's safe integer limit, so that any server language can produce it).
pub const MAX_SEQ: u64 = (1 << 53) - 1;
