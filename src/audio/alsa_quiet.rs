//! Keeps the ALSA library from printing to stderr. Opening the default device on a PC without a
//! sound card makes alsa-lib print a screenful of `ALSA lib conf.c:…` lines for every attempt
//! (and the board retries), straight into the journal past our log filter. The worker already
//! says in one line that sound is off and why, so the library's own text is only counted.

use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicU64, Ordering};

/// How many messages alsa-lib wanted to print, for debugging a sound setup.
static SWALLOWED: AtomicU64 = AtomicU64::new(0);

/// alsa-lib's `snd_local_error_handler_t`: the arguments come as a `va_list`, which is passed as
/// a pointer on the platforms we build for and is never read here.
type LocalHandler = Option<
    unsafe extern "C" fn(
        file: *const c_char,
        line: c_int,
        function: *const c_char,
        err: c_int,
        fmt: *const c_char,
        args: *mut c_void,
    ),
>;

#[link(name = "asound")]
unsafe extern "C" {
    /// Sets this thread's error handler (alsa-lib ≥ 1.1.6, thread-local), returning the old one.
    fn snd_lib_error_set_local(func: LocalHandler) -> LocalHandler;
}

unsafe extern "C" fn swallow(
    _file: *const c_char,
    _line: c_int,
    _function: *const c_char,
    _err: c_int,
    _fmt: *const c_char,
    _args: *mut c_void,
) {
    SWALLOWED.fetch_add(1, Ordering::Relaxed);
}

/// Silences alsa-lib on the calling thread: call it before opening a device there (cpal opens
/// the device on the thread that builds the stream).
pub fn quiet_this_thread() {
    // SAFETY: the handler is a plain function with alsa-lib's local handler signature that
    // touches only an atomic; setting it has no other effect than where messages go.
    unsafe {
        snd_lib_error_set_local(Some(swallow));
    }
}

/// How many messages alsa-lib has wanted to print so far.
pub fn swallowed() -> u64 {
    SWALLOWED.load(Ordering::Relaxed)
}
