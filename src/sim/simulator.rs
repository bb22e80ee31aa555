//! The simulator as a library: an office (or script) that runs on its own, and a listener that
//! can be stopped and started again while the office carries on.

use super::engine::Engine;
use super::hub::{Hub, Progress, WireFrame};
use super::office::OfficeConfig;
use super::pacer;
use super::script::Script;
use super::server::{Listener, ServerConfig};
use crate::board::BoardData;
use crate::protocol::{Envelope, Snapshot};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Where the events come from.
#[derive(Debug, Clone)]
pub enum SimSource {
    /// The simulated office.
    Office(OfficeConfig),
    /// A recorded or hand-written stream.
    Script(Script),
}

/// Everything [`Simulator::start`] needs.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    pub source: SimSource,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// A display sent nothing for this long gets a heartbeat (protocol: at most 10 s).
    pub heartbeat: Duration,
    /// Required bearer token; `None` accepts every display.
    pub token: Option<String>,
    /// Events kept so that a reconnecting display can resume.
    pub history: usize,
    /// Events a display may fall behind the live stream before it gets a fresh snapshot.
    pub client_buffer: usize,
    /// Longest real pause for a compressible gap (the night; any gap in a script).
    pub max_gap: Duration,
    /// How long a new connection has for the upgrade and the hello.
    pub hello_timeout: Duration,
    /// How long one frame may take to go out before the display is dropped.
    pub send_timeout: Duration,
    /// Displays served at once.
    pub max_connections: usize,
    /// Plays the office silently up to this moment before serving anyone, so that a demo opens
    /// on a day already under way.
    pub warm_up_until: Option<jiff::Timestamp>,
    /// The stream's name; `None` (the default) makes a new one at each start, as a server that
    /// restarts without its log must.
    pub stream: Option<String>,
}

impl SimConfig {
    fn with_source(source: SimSource) -> SimConfig {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            source,
            speed: 1.0,
            heartbeat: Duration::from_secs(5),
            token: None,
            history: 10_000,
            client_buffer: 4096,
            max_gap: Duration::from_secs(10),
            hello_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(10),
            max_connections: 256,
            warm_up_until: None,
            stream: None,
        }
    }

    /// The simulated office with defaults for everything else.
    pub fn office(config: OfficeConfig) -> SimConfig {
        SimConfig::with_source(SimSource::Office(config))
    }

    /// A script replay with defaults for everything else.
    pub fn script(script: Script) -> SimConfig {
        SimConfig::with_source(SimSource::Script(script))
    }
}

/// Why the simulator could not start (or restart its listener).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("speed must be a positive number of simulated seconds per second, not {0}")]
    Speed(f64),
    #[error("{0} must be positive")]
    Setting(&'static str),
}

/// Starts simulators.
pub struct Simulator;

impl Simulator {
    /// Starts the office (or script) and a listener on `config.listen`.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        if !(config.speed.is_finite() && config.speed > 0.0) {
            return Err(SimError::Speed(config.speed));
        }
        if config.heartbeat.is_zero() {
            return Err(SimError::Setting("heartbeat"));
        }
        if config.history == 0 {
            return Err(SimError::Setting("history"));
        }
        let engine = match config.source {
            SimSource::Office(office) => {
                tracing::info!(seed = office.seed, start = %office.start, speed = config.speed, "simulating office");
                Engine::office(&office)
            }
            SimSource::Script(script) => {
                tracing::info!(
                    events = script.events().len(),
                    renumbered = script.renumbered(),
                    speed = config.speed,
                    "replaying script"
                );
                Engine::script(script)
            }
        };
        let mut engine = engine;
        let stream = config
            .stream
            .unwrap_or_else(|| format!("sim-{:016x}", rand::random::<u64>()));
        tracing::info!(%stream, "a new stream");
        engine.set_stream(stream);
        if let Some(until) = config.warm_up_until {
            while engine.peek().is_some_and(|u| u.at < until) {
                engine.advance();
            }
        }
        let hub = Arc::new(Hub::new(
            engine,
            config.history,
            config.client_buffer,
            config.speed,
        ));
        let server = Arc::new(ServerConfig {
            token: config.token,
            heartbeat: config.heartbeat,
            hello_timeout: config.hello_timeout,
            send_timeout: config.send_timeout,
            max_connections: config.max_connections,
        });
        let listener = Listener::bind(config.listen, hub.clone(), server.clone())
            .await
            .map_err(|source| SimError::Bind {
                addr: config.listen,
                source,
            })?;
        let (paused, paused_rx) = watch::channel(false);
        let pacer = tokio::spawn(pacer::run(
            hub.clone(),
            config.speed,
            config.max_gap,
            paused_rx,
        ));
        Ok(SimHandle {
            hub,
            server,
            addr: Mutex::new(Some(listener.addr())),
            listener: tokio::sync::Mutex::new(Some(listener)),
            pacer,
            paused,
        })
    }
}

/// A running simulator.
pub struct SimHandle {
    hub: Arc<Hub>,
    server: Arc<ServerConfig>,
    listener: tokio::sync::Mutex<Option<Listener>>,
    /// Mirrors the listener's address so that `addr()` need not wait for the async lock.
    addr: Mutex<Option<SocketAddr>>,
    pacer: JoinHandle<()>,
    paused: watch::Sender<bool>,
}

impl SimHandle {
    fn set_addr(&self, addr: Option<SocketAddr>) {
        *self.addr.lock().unwrap_or_else(|e| e.into_inner()) = addr;
    }

    /// Where the listener is, or `None` while it is stopped.
    pub fn addr(&self) -> Option<SocketAddr> {
        *self.addr.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `ws://host:port/` of the listener.
    pub fn url(&self) -> Option<String> {
        self.addr().map(|a| format!("ws://{a}/"))
    }

    /// Closes the port and drops every display; the office carries on.
    pub async fn stop_listener(&self) {
        let mut listener = self.listener.lock().await;
        if let Some(l) = listener.take() {
            l.stop().await;
        }
        self.set_addr(None);
    }

    /// Starts listening again (stopping the current listener first, if any); returns the bound
    /// address.
    pub async fn start_listener(&self, addr: SocketAddr) -> Result<SocketAddr, SimError> {
        let mut listener = self.listener.lock().await;
        if let Some(l) = listener.take() {
            l.stop().await;
            self.set_addr(None);
        }
        let l = Listener::bind(addr, self.hub.clone(), self.server.clone())
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let bound = l.addr();
        *listener = Some(l);
        self.set_addr(Some(bound));
        Ok(bound)
    }

    /// The office as a display would show it now.
    pub fn board_snapshot(&self) -> Snapshot {
        self.hub.snapshot()
    }

    /// The `snapshot` message a display connecting now would get.
    pub fn snapshot_envelope(&self) -> Envelope {
        self.hub.snapshot_envelope()
    }

    /// The authoritative board data (compare with a display's `BoardData`).
    pub fn board_data(&self) -> BoardData {
        self.hub.board_data()
    }

    /// The name of this run's stream (a display resumes only within it).
    pub fn stream(&self) -> Option<String> {
        self.hub.board_data().stream
    }

    /// The simulated office's time now (what its heartbeats carry).
    pub fn virtual_now(&self) -> jiff::Timestamp {
        self.hub.virtual_now()
    }

    /// The seq of the last event published.
    pub fn last_seq(&self) -> u64 {
        self.hub.last_seq()
    }

    /// The kept events, oldest first, exactly as sent (JSON text).
    pub fn recent_events(&self) -> Vec<String> {
        self.hub
            .log()
            .into_iter()
            .map(|f: WireFrame| f.text.as_str().to_owned())
            .collect()
    }

    /// Waits until event `seq` has been published or the source has ended; returns the last seq.
    pub async fn wait_for_seq(&self, seq: u64) -> u64 {
        let mut progress = self.hub.progress();
        let reached = progress
            .wait_for(|p: &Progress| p.last_seq >= seq || p.finished)
            .await
            .map(|p| p.last_seq);
        reached.unwrap_or_else(|_| self.last_seq())
    }

    /// Waits until a script has played to its end (never returns for the office).
    pub async fn wait_finished(&self) -> u64 {
        let mut progress = self.hub.progress();
        let _ = progress.wait_for(|p| p.finished).await;
        self.last_seq()
    }

    /// True once a script has played to its end.
    pub fn is_finished(&self) -> bool {
        self.hub.progress().borrow().finished
    }

    /// Holds the simulated clock: no events until [`SimHandle::resume`]; heartbeats go on.
    /// Stops the office; when this returns, no further event is published.
    pub fn pause(&self) {
        self.hub.hold(true);
        self.paused.send_replace(true);
    }

    pub fn resume(&self) {
        self.hub.hold(false);
        self.paused.send_replace(false);
    }

    /// Stops everything: the listener with its displays, and the office.
    pub async fn shutdown(self) {
        self.stop_listener().await;
        self.pacer.abort();
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.pacer.abort();
        if let Ok(listener) = self.listener.try_lock()
            && let Some(l) = listener.as_ref()
        {
            l.abort();
        }
    }
}
