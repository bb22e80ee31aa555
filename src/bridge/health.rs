//! The bridge's own `/health`: a JSON account of the page it polls ([`BridgeStatus`]), HTTP 200
//! while displays are served and 503 while they are not, so `curl -f` in a monitoring script
//! tells the two apart. Deliberately tiny: one path, bounded requests and connections.

use super::run::BridgeStatus;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Largest request head read.
const MAX_REQUEST: usize = 4096;
/// How long a client has to send its request and take the answer.
const DEADLINE: Duration = Duration::from_secs(5);
const MAX_CONNECTIONS: usize = 16;

pub type Report = Arc<dyn Fn() -> BridgeStatus + Send + Sync>;

/// Binds `addr` and serves `/health` until the returned task is aborted.
pub async fn bind(
    addr: SocketAddr,
    report: Report,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let socket = TcpListener::bind(addr).await?;
    let bound = socket.local_addr()?;
    tracing::info!(addr = %bound, "bridge health endpoint");
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = socket.accept().await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            // Beyond the limit a client is simply closed: health checks retry.
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                continue;
            };
            let report = report.clone();
            tokio::spawn(async move {
                let _ = tokio::time::timeout(DEADLINE, answer(stream, &report)).await;
                drop(permit);
            });
        }
    });
    Ok((bound, task))
}

async fn answer(mut stream: TcpStream, report: &Report) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let (status, body) = match (method, path.split('?').next().unwrap_or("")) {
        ("GET" | "HEAD", "/health") => {
            let r = report();
            let status = if r.serving {
                "200 OK"
            } else {
                "503 Service Unavailable"
            };
            let mut json = serde_json::to_string_pretty(&r).unwrap_or_default();
            json.push('\n');
            (status, json)
        }
        ("GET" | "HEAD", _) => ("404 Not Found", "only /health is here\n".to_owned()),
        _ => ("405 Method Not Allowed", "GET /health\n".to_owned()),
    };
    let kind = if body.starts_with('{') {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if method != "HEAD" {
        out.push_str(&body);
    }
    stream.write_all(out.as_bytes()).await?;
    stream.shutdown().await
}
