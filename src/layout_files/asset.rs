//! Reading the files a layout names — the layout itself, fonts, pictures — with one bounded reader.
//!
//! A layout is written by people, and a path in it can name anything: `/dev/zero` (endless), a
//! FIFO (a read blocks until someone writes), a 4 GB video, a folder. Every such file is read
//! here, and only here, so that the same rules hold for `tablica check`, live reload and the
//! renderer: the path must name a regular file (symbolic links are followed) no larger than the
//! limit for its kind, and reading it never blocks on a writer nor reads past the limit.

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use thiserror::Error;

/// A layout file: a few kilobytes of text; a megabyte is already absurd.
pub const MAX_LAYOUT_BYTES: u64 = 1024 * 1024;
/// A font file: large CJK collections reach 20-odd MiB; the Latin fonts a board needs are far
/// smaller.
pub const MAX_FONT_BYTES: u64 = 32 * 1024 * 1024;
/// A picture file (PNG or JPEG). A 3840×2160 photo is a few MiB.
pub const MAX_IMAGE_BYTES: u64 = 16 * 1024 * 1024;
/// Largest picture side accepted, in pixels: a larger picture takes GPU memory the mini-PC lacks,
/// and decoding stops before allocating for it.
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// What a file is for; each kind has its own size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    Layout,
    Font,
    Image,
}

impl AssetKind {
    /// Largest file of this kind accepted, in bytes.
    pub const fn max_bytes(self) -> u64 {
        match self {
            AssetKind::Layout => MAX_LAYOUT_BYTES,
            AssetKind::Font => MAX_FONT_BYTES,
            AssetKind::Image => MAX_IMAGE_BYTES,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            AssetKind::Layout => "layout file",
            AssetKind::Font => "font file",
            AssetKind::Image => "picture",
        }
    }
}

/// Why a file a layout names cannot be used. The messages complete a sentence that starts with
/// the file's name, e.g. `font "x.ttf": it is a FIFO (named pipe), not a regular file; …`.
#[derive(Debug, Error)]
pub enum AssetError {
    #[error("cannot read it ({0})")]
    Io(#[from] std::io::Error),
    #[error("it is {what}, not a regular file; name a {noun} instead")]
    NotAFile {
        what: &'static str,
        noun: &'static str,
    },
    #[error(
        "it is {size} bytes, more than a {noun} may be ({} MiB at most)",
        max / (1024 * 1024)
    )]
    TooLarge {
        size: u64,
        max: u64,
        noun: &'static str,
    },
}

impl AssetError {
    /// Whether the file does not exist (for messages that say "file not found").
    pub fn is_not_found(&self) -> bool {
        matches!(self, AssetError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Checks that `meta` describes a regular file within the limit for `kind`.
fn check_meta(meta: &Metadata, kind: AssetKind) -> Result<(), AssetError> {
    let ft = meta.file_type();
    let what = if ft.is_file() {
        None
    } else if ft.is_dir() {
        Some("a folder")
    } else if ft.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if ft.is_char_device() {
        Some("a device (like /dev/zero)")
    } else if ft.is_block_device() {
        Some("a disk device")
    } else if ft.is_socket() {
        Some("a socket")
    } else {
        Some("not a plain file")
    };
    if let Some(what) = what {
        return Err(AssetError::NotAFile {
            what,
            noun: kind.noun(),
        });
    }
    if meta.len() > kind.max_bytes() {
        return Err(AssetError::TooLarge {
            size: meta.len(),
            max: kind.max_bytes(),
            noun: kind.noun(),
        });
    }
    Ok(())
}

/// Reads a whole file a layout names, refusing anything but a regular file within the limit for
/// `kind`. Never blocks on a FIFO and never reads more than the limit.
pub fn read_asset(path: &Path, kind: AssetKind) -> Result<Vec<u8>, AssetError> {
    // Looking before opening refuses a FIFO or a device without touching it: opening some
    // devices has effects of its own.
    check_meta(&std::fs::metadata(path)?, kind)?;
    // The path may have been replaced between the look and the open; O_NONBLOCK makes opening a
    // FIFO return at once instead of waiting for a writer, and the opened file is looked at again.
    let mut file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    check_meta(&meta, kind)?;
    let max = kind.max_bytes();
    let mut data = Vec::with_capacity(meta.len() as usize);
    // A file that grows while it is read still stops at the limit.
    (&mut file).take(max + 1).read_to_end(&mut data)?;
    if data.len() as u64 > max {
        return Err(AssetError::TooLarge {
            size: data.len() as u64,
            max,
            noun: kind.noun(),
        });
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, "name = \"x\"\n").unwrap();
        assert_eq!(
            read_asset(&path, AssetKind::Layout).unwrap(),
            b"name = \"x\"\n"
        );
        let big = dir.path().join("big.toml");
        let f = File::create(&big).unwrap();
        f.set_len(MAX_LAYOUT_BYTES + 1).unwrap();
        let e = read_asset(&big, AssetKind::Layout).unwrap_err();
        assert!(matches!(e, AssetError::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("1 MiB at most"), "{e}");
        let e = read_asset(&dir.path().join("none"), AssetKind::Font).unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }

    #[test]
    fn devices_fifos_and_folders_are_refused_at_once() {
        let started = Instant::now();
        let e = read_asset(Path::new("/dev/zero"), AssetKind::Font).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = read_asset(dir.path(), AssetKind::Image).unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success(), "mkfifo failed");
        let e = read_asset(&fifo, AssetKind::Image).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
