//! Child processes for tests that run the real binary: killed when the test ends however it
//! ends, their output read line by line with the moment each line arrived, Xvfb on a free
//! display, screenshots.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A child process that is killed (and reaped) when dropped, so a failing test leaves nothing
/// running.
pub struct Killed(pub Child);

impl Killed {
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// True while the process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }

    /// Asks the process to stop with SIGTERM; kills it if it has not exited within `grace`.
    /// Returns how it ended.
    pub fn terminate(&mut self, grace: Duration) -> ExitStatus {
        if let Ok(Some(status)) = self.0.try_wait() {
            return status;
        }
        let pid = libc::pid_t::try_from(self.0.id()).unwrap();
        // SAFETY: plain kill(2) on our own child, which has not been reaped yet.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + grace;
        loop {
            if let Ok(Some(status)) = self.0.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.0.kill();
                return self.0.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a child's stdout or stderr as they arrive, read on a thread so that a chatty child
/// never blocks on a full pipe.
#[derive(Clone, Default)]
pub struct Lines {
    lines: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Lines {
    pub fn read(from: impl Read + Send + 'static) -> Lines {
        let lines = Lines::default();
        let store = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(from).split(b'\n') {
                let Ok(line) = line else { break };
                let text = String::from_utf8_lossy(&line).into_owned();
                store.lock().push((Instant::now(), text));
            }
        });
        lines
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(Instant, String)>> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `nth` lines (counting from 1) containing `needle` have arrived; returns the
    /// `nth` with its arrival time, or `None` at the deadline.
    pub fn wait_for(
        &self,
        needle: &str,
        nth: usize,
        timeout: Duration,
    ) -> Option<(Instant, String)> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self
                .lock()
                .iter()
                .filter(|(_, l)| l.contains(needle))
                .nth(nth - 1)
            {
                return Some(found.clone());
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// How many lines so far contain `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.lock()
            .iter()
            .filter(|(_, l)| l.contains(needle))
            .count()
    }

    /// Everything so far, for failure messages.
    pub fn text(&self) -> String {
        self.lock()
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Spawns `command` with piped stdout and stderr; returns it with readers of both.
pub fn spawn_logged(command: &mut Command) -> (Killed, Lines, Lines) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Plain text logs to search (tracing-subscriber honours NO_COLOR).
        .env("NO_COLOR", "1")
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let out = Lines::read(child.stdout.take().unwrap());
    let err = Lines::read(child.stderr.take().unwrap());
    (Killed(child), out, err)
}

/// Starts Xvfb on a free display number (it picks one and reports it with `-displayfd`) and
/// returns it with its display name.
pub fn xvfb(width: u32, height: u32) -> (Killed, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            &format!("{width}x{height}x24"),
            "-nolisten",
            "tcp",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb runs (apt-get install xvfb)");
    let out = child.stdout.take().unwrap();
    let guard = Killed(child);
    // Xvfb writes the number once it accepts connections, or exits (EOF) if it cannot start.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut number = String::new();
        let _ = BufReader::new(out).read_line(&mut number);
        let _ = tx.send(number);
    });
    let number = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("Xvfb did not report its display within 15 s");
    assert!(!number.trim().is_empty(), "Xvfb did not start");
    (guard, format!(":{}", number.trim()))
}

/// A loopback address with a port that was free a moment ago (for servers the test starts in
/// another process, which must be told the port).
pub fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// The whole X screen, saved to `path` (ImageMagick's `import`).
pub fn screenshot(display: &str, path: &Path) -> image::RgbaImage {
    // Bounded: a wedged X server must fail the test, not hang it.
    let status = Command::new("timeout")
        .args(["20", "import", "-display", display, "-window", "root"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("ImageMagick's import runs");
    assert!(status.success(), "import failed");
    image::open(path).unwrap().into_rgba8()
}
