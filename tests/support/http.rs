//! A plain HTTP/1.1 client for the board's health endpoint and the fleet page: one request per
//! connection, read to the end, so that a test sees exactly what a technician's curl would.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// `method path`, with a bearer token when given; (status code, body). `None` while nothing
/// listens or the answer is not HTTP.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
) -> Option<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    // Generous: a screenshot is rendered on the software rasteriser of a loaded machine.
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: test\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let end = out.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&out[..end]).to_string();
    let code = head.split(' ').nth(1)?.parse().ok()?;
    Some((code, out[end + 4..].to_vec()))
}

/// `GET path`; (status code, body).
pub fn get(addr: SocketAddr, path: &str) -> Option<(u16, Vec<u8>)> {
    request(addr, "GET", path, None)
}

/// `GET path` as JSON; panics with the answer when there is none or it is not JSON.
pub fn get_json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let (code, body) = get(addr, path).unwrap_or_else(|| panic!("no answer to GET {path}"));
    let text = String::from_utf8_lossy(&body);
    assert_eq!(code, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
}
