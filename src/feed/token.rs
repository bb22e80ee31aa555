//! The bearer token: read from its file before every connection attempt, so that a token
//! provisioned or rotated while the board runs is used without a restart.

use std::io::Read;
use std::path::{Path, PathBuf};

/// A token file larger than this is not a token (and must not be read into memory whole).
pub const MAX_TOKEN_FILE_BYTES: u64 = 16 * 1024;

/// Why the token file could not give a token. Never contains the token itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token file {0} does not exist")]
    Missing(PathBuf),
    #[error("the token file {0} is empty")]
    Empty(PathBuf),
    #[error("cannot read the token file {0}: {1}")]
    Unreadable(PathBuf, String),
    #[error("the token in {0} has characters an HTTP header cannot carry")]
    Invalid(PathBuf),
}

impl TokenError {
    /// A stable name for logs and /health.
    pub fn kind(&self) -> &'static str {
        match self {
            TokenError::Missing(_) => "token_missing",
            TokenError::Empty(_) => "token_empty",
            TokenError::Unreadable(..) => "token_unreadable",
            TokenError::Invalid(_) => "token_invalid",
        }
    }
}

/// Reads the token from `path`: the file's text without surrounding whitespace. Only a regular
/// file of at most [`MAX_TOKEN_FILE_BYTES`] is read, so that a FIFO cannot block the feed and
/// `/dev/zero` cannot fill memory.
pub fn read_token_file(path: &Path) -> Result<String, TokenError> {
    let unreadable = |e: String| TokenError::Unreadable(path.to_path_buf(), e);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(TokenError::Missing(path.to_path_buf()));
        }
        Err(e) => return Err(unreadable(e.to_string())),
    };
    if !meta.is_file() {
        return Err(unreadable("not a regular file".into()));
    }
    if meta.len() > MAX_TOKEN_FILE_BYTES {
        return Err(unreadable(format!(
            "{} bytes, more than the {MAX_TOKEN_FILE_BYTES} a token file may have",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    // The file may grow between the check and the read: read no more than the limit anyway.
    file.take(MAX_TOKEN_FILE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8 text".into()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(TokenError::Empty(path.to_path_buf()));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(TokenError::Invalid(path.to_path_buf()));
    }
    Ok(token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_has_its_kind_and_never_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        assert_eq!(read_token_file(&path).unwrap_err().kind(), "token_missing");
        std::fs::write(&path, " \n").unwrap();
        assert_eq!(read_token_file(&path).unwrap_err().kind(), "token_empty");
        std::fs::write(&path, "sec ret-7\n").unwrap();
        let e = read_token_file(&path).unwrap_err();
        assert_eq!(e.kind(), "token_invalid");
        assert!(!e.to_string().contains("ret-7"), "{e}");
        std::fs::write(&path, "x".repeat(MAX_TOKEN_FILE_BYTES as usize + 1)).unwrap();
        assert_eq!(
            read_token_file(&path).unwrap_err().kind(),
            "token_unreadable"
        );
        assert_eq!(
            read_token_file(dir.path()).unwrap_err().kind(),
            "token_unreadable"
        );
        std::fs::write(&path, "  tok-123\n").unwrap();
        assert_eq!(read_token_file(&path).unwrap(), "tok-123");
    }
}
