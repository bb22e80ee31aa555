//! The running display: the board fed by the live feed, drawn in a window or to PNG files.
//!
//! [`Core`] is what both shells share: it drains the feed into the board on the display's thread,
//! asks the feed to resynchronise when events were missed, and produces each frame's scene plus
//! the calls whose turn on screen begins (their sound plays with them).

mod clock;
mod headless;
mod window;

use crate::board::{Board, Effect, Mono, Speech};
use crate::feed::{Control, Feed, FeedMsg, LinkState, LogLimiter};
use crate::layout::Layout;
use crate::layout_files::watch::LayoutWatcher;
use crate::protocol::{CallInfo, Envelope, Event};
use crate::render::{Gpu, Renderer};
use crate::scene::{self, Link, Scene, Status};
use jiff::Timestamp;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use clock::Clock;
pub use headless::run_headless;
pub use window::{WindowOptions, run_window, run_window_supervised};

/// Counters for logs and the health endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub events: u64,
    pub rejected: u64,
    pub calls: u64,
    pub resyncs: u64,
    pub frames: u64,
}

/// Something that sounds a call when its turn on screen begins.
pub type CallSound = Box<dyn FnMut(&CallInfo)>;
/// Speaks a call whose turn on screen begins, right after its [`CallSound`]; gets the counter's
/// label as shown (the call carries only its id; `None` when it names no counter). Returns when the words will be heard, counted
/// from now, when they are spoken at all: the board holds the call's turn until they are over
/// and the picture shows a speaker mark meanwhile.
pub type CallVoice = Box<dyn FnMut(&CallInfo, Option<&str>) -> Option<Speech>>;

pub struct Core {
    pub board: Board,
    /// The layout from a file; `None` for the built-in layout that suits the screen's
    /// orientation (it follows the window when the screen is turned).
    pub layout: Option<Layout>,
    /// The file the layout came from, if any.
    pub layout_path: Option<PathBuf>,
    pub status: Status,
    pub counters: Counters,
    feed: Option<Feed>,
    /// A resync was asked for and no new stream has started since: do not ask again.
    resync_pending: bool,
    sound: Option<CallSound>,
    voice: Option<CallVoice>,
    watcher: Option<LayoutWatcher>,
    /// The size of the last frame, for proving a reloaded layout draws the call on this screen.
    screen: Option<(u32, u32)>,
    /// The origin of the board's monotonic clock ([`Mono`]).
    origin: Instant,
    /// Invalid messages are logged at most once a minute each: a server that sends one per
    /// second must not fill the disk.
    limiter: LogLimiter,
}

impl Core {
    pub fn new(layout: Option<Layout>, status: Status) -> Self {
        // A counter display presents only the calls to its own counter.
        let board = Board::new(crate::board::BoardConfig {
            only_counter: status.counter.clone(),
            ..crate::board::BoardConfig::default()
        });
        Core {
            board,
            layout,
            layout_path: None,
            status,
            counters: Counters::default(),
            feed: None,
            resync_pending: false,
            sound: None,
            voice: None,
            watcher: None,
            screen: None,
            origin: Instant::now(),
            limiter: LogLimiter::new(Duration::from_secs(60)),
        }
    }

    /// The feed's last connection error and thread restarts; `None` without a feed.
    pub fn feed_health(&self) -> Option<crate::feed::LinkHealth> {
        self.feed.as_ref().map(Feed::health)
    }

    /// The board's monotonic clock at `at`.
    pub fn mono(&self, at: Instant) -> Mono {
        Mono::from_std(at.saturating_duration_since(self.origin))
    }

    fn instant(&self, mono: Mono) -> Instant {
        let d = mono.since(Mono::default());
        self.origin + Duration::try_from(d).unwrap_or(Duration::ZERO)
    }

    pub fn set_feed(&mut self, feed: Feed) {
        let (seq, stream) = self.board.resume_point();
        feed.applied(seq, stream);
        self.status.link = Link::Connecting;
        self.feed = Some(feed);
    }

    /// Starts watching the layout file (if there is one) for live reload; `wake` is called from
    /// the watcher's thread when files change.
    pub fn watch_layout(&mut self, wake: crate::feed::Waker) {
        let Some(path) = self.layout_path.clone() else {
            return;
        };
        match LayoutWatcher::new(&path, self.layout.as_ref(), wake) {
            Ok(w) => self.watcher = Some(w),
            Err(e) => tracing::warn!("live reload of {} is off: {e}", path.display()),
        }
    }

    /// When a pending layout reload is due on this thread: never, because the watcher's thread
    /// waits for edits to settle, reads and checks the files, and wakes the display with the
    /// result. Kept so that the shells need not know.
    pub fn reload_due(&self) -> Option<std::time::Instant> {
        self.watcher.as_ref().and_then(LayoutWatcher::due)
    }

    /// Swaps in a layout the watcher's thread has read and checked, once it is proven to draw the
    /// called ticket and counter at this screen's size; returns whether the picture may have
    /// changed. A broken layout leaves the previous one on screen with an error card.
    ///
    /// The call check runs here, not on the watcher's thread, because only this thread knows the
    /// screen's size at the moment of the swap (a screen turned or resized in between cannot let
    /// an unchecked size through), and because it is pure and cheap: one scene, no I/O, no text
    /// shaping — less than one frame's work.
    pub fn poll_layout(&mut self, _now: std::time::Instant) -> bool {
        let Some(result) = self.watcher.as_mut().and_then(LayoutWatcher::poll) else {
            return false;
        };
        let file = self.layout_path.clone().unwrap_or_default();
        // Before the first frame the size is not known yet: prove both orientations.
        let sizes = match self.screen {
            Some(size) => vec![size],
            None => crate::layout_files::check::CHECK_SIZES.to_vec(),
        };
        let result = result.and_then(|checked| {
            crate::layout_files::prove_call_drawn(&checked.layout, &checked.text, &file, &sizes)
                .map(|()| checked)
        });
        match result {
            Ok(checked) => {
                tracing::info!("layout reloaded");
                self.layout = Some(checked.layout);
                self.status.notices.clear();
                self.status.design_notes = checked.design.iter().map(ToString::to_string).collect();
            }
            // The notes of the layout on screen stay: it is still the one shown.
            Err(problems) => {
                for p in &problems {
                    tracing::error!("layout not reloaded: {p}");
                }
                self.status.notices = problems.iter().map(ToString::to_string).collect();
            }
        }
        true
    }

    pub fn set_sound(&mut self, sound: CallSound) {
        self.sound = Some(sound);
    }

    pub fn set_voice(&mut self, voice: CallVoice) {
        self.voice = Some(voice);
    }

    /// Applies events from a file as if they had arrived live, the last one at `now`, so that
    /// calls near the end of the file are still presented in turn, with their sounds. Calls whose
    /// turn came before `now` are presented silently, as a shell ticking at each deadline would
    /// have shown them.
    pub fn replay(&mut self, events: &[Envelope], now: Timestamp) {
        let Some(last) = events.last() else {
            return;
        };
        let mono_now = self.mono(Instant::now());
        let shift = now.duration_since(last.time);
        for e in events {
            let at = crate::protocol::time::saturating_add(e.time, shift);
            let mono = mono_now.saturating_add(-now.duration_since(at));
            self.board.catch_up(at, mono);
            self.apply(e, at, mono);
        }
        self.board.catch_up(now, mono_now);
    }

    /// Applies one event that arrives live at `now` (monotonic `at`), as the feed's events are;
    /// its call, if any, waits for [`Core::tick`] to start and sound.
    pub fn receive(&mut self, e: &Envelope, now: Timestamp, at: Instant) {
        let mono = self.mono(at);
        self.apply(e, now, mono);
    }

    fn apply(&mut self, e: &Envelope, now: Timestamp, mono: Mono) {
        self.counters.events += 1;
        if let Event::Invalid(invalid) = &e.event {
            self.counters.rejected += 1;
            let kind = if invalid.kind == "snapshot" {
                "invalid_snapshot"
            } else {
                "invalid_event"
            };
            if let Some(suppressed) = self.limiter.allow(kind, Instant::now()) {
                tracing::warn!(
                    seq = e.seq,
                    r#type = %invalid.kind,
                    suppressed,
                    "ignoring a {} whose data cannot be used: {}",
                    invalid.kind,
                    invalid.error
                );
            }
        }
        for effect in self.board.apply_at(e, now, mono) {
            match effect {
                Effect::Call(_) | Effect::Recall(_) => self.counters.calls += 1,
                Effect::ResyncNeeded { last, got, why } => {
                    if !self.resync_pending
                        && let Some(feed) = &self.feed
                    {
                        tracing::warn!(?last, got, "{}; resynchronising", why.describe());
                        self.resync_pending = true;
                        self.counters.resyncs += 1;
                        feed.send(Control::Resync);
                    }
                }
            }
        }
        if let Some(feed) = &self.feed {
            let (seq, stream) = self.board.resume_point();
            feed.applied(seq, stream);
        }
    }

    /// Takes everything the feed has delivered; returns whether the picture may have changed.
    pub fn pump(&mut self, now: Timestamp) -> bool {
        self.pump_at(now, Instant::now())
    }

    /// [`Core::pump`] at monotonic time `at` (tests drive the board's clock with it).
    pub fn pump_at(&mut self, now: Timestamp, at: Instant) -> bool {
        let mut changed = false;
        while let Some(msg) = self.feed.as_mut().and_then(Feed::try_recv) {
            // Heartbeats (and rejected frames) only prove the link is alive: they change the
            // picture only when they end a "no connection" banner. Idle means idle.
            let quiet = matches!(&msg, FeedMsg::Rejected(_))
                || matches!(&msg, FeedMsg::Event(e)
                    if matches!(e.event, Event::Heartbeat(_) | Event::Invalid(_)));
            let was_stale = quiet && scene::is_stale(&self.board, &self.status, now);
            self.handle(msg, now, at);
            changed |= !quiet || was_stale;
        }
        changed
    }

    fn handle(&mut self, msg: FeedMsg, now: Timestamp, at: Instant) {
        match msg {
            FeedMsg::NewStream => {
                self.board.new_stream();
                self.resync_pending = false;
            }
            FeedMsg::Event(e) => {
                let mono = self.mono(at);
                self.apply(&e, now, mono)
            }
            FeedMsg::Rejected(_) => {
                self.counters.rejected += 1;
                self.board.heard(now);
            }
            FeedMsg::Link(LinkState::Connected) => self.status.link = Link::Connected,
            FeedMsg::Link(LinkState::Connecting) => self.status.link = Link::Connecting,
        }
    }

    /// Moves the call presentation to `now` (monotonic time: this very moment) and sounds the
    /// call whose turn on screen begins, if any; returns whether one did. Call it from a timer
    /// ([`Core::next_tick`]) as well as before drawing, so that sounds do not wait for redraws.
    pub fn tick(&mut self, now: Timestamp) -> bool {
        self.tick_at(now, Instant::now())
    }

    /// [`Core::tick`] at monotonic time `at` (tests drive the presenter's clock with it).
    pub fn tick_at(&mut self, now: Timestamp, at: Instant) -> bool {
        let mono = self.mono(at);
        let Some(call) = self.board.advance_at(now, mono) else {
            return false;
        };
        if let Some(sound) = &mut self.sound {
            sound(&call);
        }
        if let Some(voice) = &mut self.voice
            && let Some(speech) = voice(&call, self.board.data.call_counter_label(&call))
        {
            self.board.speak(speech);
        }
        true
    }

    /// When the next queued call's turn comes (it may be now or past), for the shell's timer;
    /// `None` when no call is waiting.
    pub fn next_tick(&self) -> Option<Instant> {
        self.board.next_tick().map(|m| self.instant(m))
    }

    /// The picture at `now` (after [`Core::tick`]).
    pub fn frame(&mut self, now: Timestamp, width: u32, height: u32) -> Scene {
        self.frame_at(now, Instant::now(), width, height)
    }

    /// [`Core::frame`] at monotonic time `at` (a stopped clock keeps it still).
    pub fn frame_at(&mut self, now: Timestamp, at: Instant, width: u32, height: u32) -> Scene {
        self.tick_at(now, at);
        self.counters.frames += 1;
        self.screen = Some((width, height));
        let layout = self.layout_for(width, height);
        scene::build(&self.board, layout, &self.status, now, width, height)
    }

    /// The layout for a screen of this size (borrowed: a frame copies no part of the layout).
    pub fn layout_for(&self, width: u32, height: u32) -> &Layout {
        match &self.layout {
            Some(l) => l,
            None if self.status.counter.is_some() => Layout::builtin_counter(width, height),
            None => Layout::builtin(width, height),
        }
    }
}

/// A renderer for `format` with the fonts the layout names.
pub fn renderer_for(gpu: &Gpu, layout: &Layout, format: wgpu::TextureFormat) -> Renderer {
    let extra: Vec<PathBuf> = layout
        .style
        .font_files
        .iter()
        .map(|f| layout.asset(f))
        .collect();
    Renderer::with_fonts(gpu, format, crate::fonts::font_system_with(&extra))
}
