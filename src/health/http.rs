//! Just enough HTTP/1.1 for three read-only paths, written by hand so that every limit is ours:
//! one request per connection, bounded header size, timeouts on reading and writing.

use super::{Shared, prometheus};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Request line and headers, at most (no request here has a body).
pub const MAX_REQUEST: usize = 8 * 1024;
/// A client must have sent its whole request within this time.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Writing an answer (a screenshot is a few hundred kB) must finish within this time.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the UI thread has to hand over a frame.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more wait in the kernel's backlog.
pub const MAX_CONNECTIONS: usize = 16;

/// Accepts connections forever.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let (stream, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!("health endpoint: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            handle(stream, &shared).await;
            drop(permit);
        });
    }
}

struct Response {
    status: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    fn text(status: &'static str, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

async fn handle(mut stream: TcpStream, shared: &Shared) {
    let request = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(head)) => head,
        Ok(Err(Some(response))) => {
            let _ = write(&mut stream, response, false).await;
            return;
        }
        // A client that said nothing or went away gets nothing.
        Ok(Err(None)) | Err(_) => return,
    };
    let (method, path) = match parse_request_line(&request) {
        Some(m) => m,
        None => {
            let _ = write(
                &mut stream,
                Response::text("400 Bad Request", "bad request\n"),
                false,
            )
            .await;
            return;
        }
    };
    let head_only = method == "HEAD";
    let response = if method != "GET" && method != "HEAD" {
        Response::text("405 Method Not Allowed", "only GET\n")
    } else {
        route(path, shared).await
    };
    let _ = write(&mut stream, response, head_only).await;
}

/// Reads up to the blank line ending the headers. `Err(Some(_))` is an answer to send (the
/// request is too large), `Err(None)` a connection to drop.
async fn read_head(stream: &mut TcpStream) -> Result<String, Option<Response>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|_| None)?;
        if n == 0 {
            return Err(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n").or_else(|| find(&buf, b"\n\n")) {
            buf.truncate(end);
            return String::from_utf8(buf)
                .map_err(|_| Some(Response::text("400 Bad Request", "bad request\n")));
        }
        if buf.len() > MAX_REQUEST {
            return Err(Some(Response::text(
                "431 Request Header Fields Too Large",
                "request too large\n",
            )));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `GET /path HTTP/1.1` → ("GET", "/path"), the query string dropped.
fn parse_request_line(head: &str) -> Option<(&str, &str)> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !version.starts_with("HTTP/1.") {
        return None;
    }
    let path = target.split('?').next().unwrap_or(target);
    Some((method, path))
}

async fn route(path: &str, shared: &Shared) -> Response {
    match path {
        "/health" => {
            let body = serde_json::to_vec_pretty(&shared.snapshot()).unwrap_or_default();
            Response {
                status: "200 OK",
                content_type: "application/json",
                body,
            }
        }
        "/metrics" => Response {
            status: "200 OK",
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body: prometheus(&shared.snapshot()).into_bytes(),
        },
        "/screenshot.png" => screenshot(shared).await,
        _ => Response::text(
            "404 Not Found",
            "not found; try /health, /metrics or /screenshot.png\n",
        ),
    }
}

async fn screenshot(shared: &Shared) -> Response {
    let Some(reply) = shared.request_screenshot() else {
        return Response::text("503 Service Unavailable", "busy; try again\n");
    };
    let image = match tokio::time::timeout(SCREENSHOT_TIMEOUT, reply).await {
        Ok(Ok(Ok(image))) => image,
        Ok(Ok(Err(e))) => return Response::text("500 Internal Server Error", &format!("{e}\n")),
        Ok(Err(_)) => return Response::text("503 Service Unavailable", "no frame to show\n"),
        Err(_) => {
            return Response::text(
                "504 Gateway Timeout",
                "the display did not answer in time\n",
            );
        }
    };
    // Encoding takes tens of milliseconds for a full-HD frame: off the async thread.
    let png = tokio::task::spawn_blocking(move || {
        let mut out = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .map(|()| out.into_inner())
    })
    .await;
    match png {
        Ok(Ok(body)) => Response {
            status: "200 OK",
            content_type: "image/png",
            body,
        },
        Ok(Err(e)) => Response::text("500 Internal Server Error", &format!("{e}\n")),
        Err(e) => Response::text("500 Internal Server Error", &format!("{e}\n")),
    }
}

async fn write(stream: &mut TcpStream, r: Response, head_only: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         Connection: close\r\n\r\n",
        r.status,
        r.content_type,
        r.body.len()
    );
    let send = async {
        stream.write_all(head.as_bytes()).await?;
        if !head_only {
            stream.write_all(&r.body).await?;
        }
        stream.shutdown().await
    };
    tokio::time::timeout(WRITE_TIMEOUT, send)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(
            parse_request_line("GET /health?x=1 HTTP/1.1\r\nHost: a"),
            Some(("GET", "/health"))
        );
        assert_eq!(parse_request_line("GET /health"), None);
        assert_eq!(parse_request_line("GET / HTTP/2 x"), None);
        assert_eq!(parse_request_line(""), None);
    }
}
