//! A minimal HTTP/1.1 GET for polling health endpoints: one request per connection, a deadline
//! on the whole exchange, and a cap on what is read, so that a board (or whatever answers at its
//! address) can neither hold a poller nor fill its memory.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most a /health answer may be (they are a few kB).
pub const MAX_HEALTH: usize = 256 * 1024;
/// The most a screenshot may be: a 4K frame as PNG stays well below.
pub const MAX_SCREENSHOT: usize = 24 * 1024 * 1024;

/// Why a GET brought no usable answer. The text is for people at a desk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("answer larger than {0} bytes")]
    TooLarge(usize),
    #[error("not an HTTP answer")]
    Malformed,
    #[error("token refused (401); check the token for this display")]
    Unauthorized,
    #[error("HTTP {0}: {1}")]
    Status(u16, String),
}

/// An I/O error in words for a technician: "connection refused", not "Connection refused (os
/// error 111)".
fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "connection refused (is the board running, with health on this \
                                 address?)"
            .into(),
        K::HostUnreachable | K::NetworkUnreachable => {
            "no route to the board (network, VPN?)".into()
        }
        K::TimedOut => "connection timed out".into(),
        _ => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text);
            let mut c = text.chars();
            c.next()
                .map(|f| f.to_lowercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

/// `GET path` from `address` (`host:port`); the body of a 200 answer.
pub async fn get(
    address: &str,
    path: &str,
    token: Option<&str>,
    limit: usize,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    match tokio::time::timeout(timeout, exchange(address, path, token, limit)).await {
        Ok(r) => r,
        Err(_) => Err(FetchError::Timeout(timeout.as_secs().max(1))),
    }
}

async fn exchange(
    address: &str,
    path: &str,
    token: Option<&str>,
    limit: usize,
) -> Result<Vec<u8>, FetchError> {
    let mut stream = TcpStream::connect(address)
        .await
        .map_err(|e| FetchError::Connect(io_words(&e)))?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{auth}User-Agent: tablica-fleet\r\n\
         Connection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| FetchError::Connect(e.to_string()))?;
    // Head and body, up to the limit and a little for the head; one byte more means too large.
    let cap = limit + 16 * 1024;
    let mut buf = Vec::with_capacity(8 * 1024);
    (&mut stream)
        .take(cap as u64 + 1)
        .read_to_end(&mut buf)
        .await
        .map_err(|e| FetchError::Connect(e.to_string()))?;
    if buf.len() > cap {
        return Err(FetchError::TooLarge(limit));
    }
    let (code, body) = parse(&buf)?;
    match code {
        200 => Ok(body.to_vec()),
        401 => Err(FetchError::Unauthorized),
        _ => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
            Err(FetchError::Status(code, text.trim().to_owned()))
        }
    }
}

/// The status code and body of a whole answer read to its end. A `Content-Length` that does not
/// match means the answer was cut off.
fn parse(answer: &[u8]) -> Result<(u16, &[u8]), FetchError> {
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(FetchError::Malformed)?;
    let head = std::str::from_utf8(&answer[..end]).map_err(|_| FetchError::Malformed)?;
    let body = &answer[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next().ok_or(FetchError::Malformed)?;
    let mut parts = status.split(' ');
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(FetchError::Malformed);
    }
    let code: u16 = parts
        .next()
        .and_then(|c| c.parse().ok())
        .ok_or(FetchError::Malformed)?;
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
            && value.trim().parse::<usize>().ok() != Some(body.len())
        {
            return Err(FetchError::Malformed);
        }
    }
    Ok((code, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_answers() {
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
            Ok((200, &b"hi"[..]))
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi"),
            Err(FetchError::Malformed)
        );
        assert_eq!(parse(b"SSH-2.0-OpenSSH\r\n"), Err(FetchError::Malformed));
        assert_eq!(parse(b"HTTP/1.1 abc\r\n\r\n"), Err(FetchError::Malformed));
        assert_eq!(
            parse(b"HTTP/1.1 404 Not Found\r\n\r\n"),
            Ok((404, &b""[..]))
        );
    }

    #[tokio::test]
    async fn bounded_and_timed() {
        // Something that answers forever: the reader stops at the limit.
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let junk = vec![b'x'; 64 * 1024];
            while s.write_all(&junk).await.is_ok() {}
        });
        let r = get(&addr, "/", None, 1024, Duration::from_secs(20)).await;
        assert_eq!(r, Err(FetchError::TooLarge(1024)));
        // Something that accepts and never answers.
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let _keep = tokio::spawn(async move {
            let _s = l.accept().await;
            std::future::pending::<()>().await
        });
        let r = get(&addr, "/", None, 1024, Duration::from_millis(300)).await;
        assert_eq!(r, Err(FetchError::Timeout(1)));
    }
}
