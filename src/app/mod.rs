//! The running display: the board fed by the live feed, drawn in a window or to PNG files.
//!
//! [`Core`] is what both shells share: it drains the feed into the board on the display's thread,
//! asks the feed to resynchronise when events were missed, and produces each frame's scene plus
//! the calls whose turn on screen begins (their sound plays with them).

mod headless;
mod window;

use crate::board::{Board, Effect};
use crate::feed::{Control, Feed, FeedMsg, LinkState};
use crate::layout::Layout;
use crate::layout::watch::LayoutWatcher;
use crate::protocol::{CallInfo, Envelope, Event};
use crate::render::{Gpu, Renderer};
use crate::scene::{self, Link, Scene, Status};
use jiff::Timestamp;
use std::path::PathBuf;

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
/// label as shown (the call carries only its id).
pub type CallVoice = Box<dyn FnMut(&CallInfo, &str)>;

pub struct Core {
    pub board: Board,
    /// The layout from a file; `None` for the built-in layout that suits the screen's
    /// orientation (it follows the window when the screen is turned).
    pub layout: Option<Layout>,
    /// The file the layout came from, if any.
    pub layout_path: Option<PathBuf>,
    pub status: Status,
    pub counters: Counters,
    /// Services to list (their ids); `None` for all. From the installation's config.
    pub services_shown: Option<Vec<String>>,
    feed: Option<Feed>,
    /// A resync was asked for and no new stream has started since: do not ask again.
    resync_pending: bool,
    sound: Option<CallSound>,
    voice: Option<CallVoice>,
    watcher: Option<LayoutWatcher>,
}

impl Core {
    pub fn new(layout: Option<Layout>, status: Status) -> Self {
        Core {
            board: Board::default(),
            layout,
            layout_path: None,
            status,
            counters: Counters::default(),
            services_shown: None,
            feed: None,
            resync_pending: false,
            sound: None,
            voice: None,
            watcher: None,
        }
    }

    pub fn set_feed(&mut self, feed: Feed) {
        feed.applied(self.board.data.last_seq);
        self.status.link = Link::Connecting;
        self.feed = Some(feed);
    }

    /// Starts watching the layout file (if there is one) for live reload; `wake` is called from
    /// the watcher's thread when files change.
    pub fn watch_layout(&mut self, wake: crate::layout::watch::Notify) {
        let Some(path) = self.layout_path.clone() else {
            return;
        };
        match LayoutWatcher::new(&path, self.layout.as_ref(), wake) {
            Ok(w) => self.watcher = Some(w),
            Err(e) => tracing::warn!("live reload of {} is off: {e}", path.display()),
        }
    }

    /// When a pending layout reload is due.
    pub fn reload_due(&self) -> Option<std::time::Instant> {
        self.watcher.as_ref().and_then(LayoutWatcher::due)
    }

    /// Reloads the layout if its files changed and have settled; returns whether the picture
    /// may have changed. A broken layout leaves the previous one on screen with an error card.
    pub fn poll_layout(&mut self, now: std::time::Instant) -> bool {
        let Some(result) = self.watcher.as_mut().and_then(|w| w.poll(now)) else {
            return false;
        };
        match result {
            Ok(layout) => {
                self.layout = Some(layout);
                self.status.notices.clear();
            }
            Err(problems) => {
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
    /// calls near the end of the file are still presented in turn, with their sounds.
    pub fn replay(&mut self, events: &[Envelope], now: Timestamp) {
        let Some(last) = events.last() else {
            return;
        };
        let shift = now.duration_since(last.time);
        for e in events {
            self.apply(e, crate::board::add(e.time, shift));
        }
    }

    fn apply(&mut self, e: &Envelope, now: Timestamp) {
        self.counters.events += 1;
        for effect in self.board.apply(e, now) {
            match effect {
                Effect::Call(_) | Effect::Recall(_) => self.counters.calls += 1,
                Effect::ResyncNeeded { last, got } => {
                    if !self.resync_pending
                        && let Some(feed) = &self.feed
                    {
                        tracing::warn!(last, got, "missed events; resynchronising");
                        self.resync_pending = true;
                        self.counters.resyncs += 1;
                        feed.send(Control::Resync);
                    }
                }
            }
        }
        if let Some(keep) = &self.services_shown {
            self.board.data.services.retain(|s| keep.contains(&s.id));
        }
        if let Some(feed) = &self.feed {
            feed.applied(self.board.data.last_seq);
        }
    }

    /// Takes everything the feed has delivered; returns whether the picture may have changed.
    pub fn pump(&mut self, now: Timestamp) -> bool {
        let mut changed = false;
        while let Some(msg) = self.feed.as_mut().and_then(Feed::try_recv) {
            // Heartbeats (and rejected frames) only prove the link is alive: they change the
            // picture only when they end a "no connection" banner. Idle means idle.
            let quiet = matches!(&msg, FeedMsg::Rejected(_))
                || matches!(&msg, FeedMsg::Event(e) if matches!(e.event, Event::Heartbeat(_)));
            let was_stale = quiet && scene::is_stale(&self.board, &self.status, now);
            self.handle(msg, now);
            changed |= !quiet || was_stale;
        }
        changed
    }

    fn handle(&mut self, msg: FeedMsg, now: Timestamp) {
        match msg {
            FeedMsg::NewStream => {
                self.board.new_stream();
                self.resync_pending = false;
            }
            FeedMsg::Event(e) => self.apply(&e, now),
            FeedMsg::Rejected(_) => {
                self.counters.rejected += 1;
                self.board.heard(now);
            }
            FeedMsg::Link(LinkState::Connected) => self.status.link = Link::Connected,
            FeedMsg::Link(LinkState::Connecting) => self.status.link = Link::Connecting,
        }
    }

    /// Moves the call presentation to `now` and sounds the calls whose turn on screen begins.
    pub fn tick(&mut self, now: Timestamp) {
        for call in self.board.advance(now) {
            if let Some(sound) = &mut self.sound {
                sound(&call);
            }
            if let Some(voice) = &mut self.voice {
                voice(&call, self.board.data.counter_label(&call.counter));
            }
        }
    }

    /// The picture at `now` (after [`Core::tick`]).
    pub fn frame(&mut self, now: Timestamp, width: u32, height: u32) -> Scene {
        self.tick(now);
        self.counters.frames += 1;
        let layout = self.layout_for(width, height);
        scene::build(&self.board, &layout, &self.status, now, width, height)
    }

    /// The layout for a screen of this size.
    pub fn layout_for(&self, width: u32, height: u32) -> Layout {
        match &self.layout {
            Some(l) => l.clone(),
            None => Layout::builtin_for(width, height),
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
