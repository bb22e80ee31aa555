//! Fetching the status page: one blocking HTTP(S) GET per poll, with timeouts, a size limit and
//! conditional requests.
//!
//! `ureq` runs on the rustls (with ring) that the feed already uses, and trusts the system's
//! root certificates, as the feed does. When the server sends an `ETag` or `Last-Modified`, the
//! next request carries `If-None-Match` / `If-Modified-Since`, and a `304 Not Modified` costs the
//! page nothing to answer and the bridge nothing to parse.

use std::sync::Arc;
use std::time::Duration;
use ureq::http::{StatusCode, header};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// The largest page read: Warsaw's biggest office is a few kilobytes.
pub const MAX_BODY: u64 = 1024 * 1024;

/// What one poll got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Body(Vec<u8>),
    /// The page has not changed since the last body (HTTP 304).
    NotModified,
}

/// Why a poll got nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {0}")]
    Status(u16),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Transport(String),
}

impl FetchError {
    /// A short name for logs and /health.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Status(_) => "http_status",
            FetchError::Timeout(_) => "timeout",
            FetchError::Transport(_) => "transport",
        }
    }
}

/// Polls one URL, remembering what the server said for conditional requests.
pub struct Poller {
    agent: ureq::Agent,
    url: String,
    timeout: Duration,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Poller {
    pub fn new(url: &str, timeout: Duration) -> Poller {
        let certs: Vec<Certificate<'static>> = rustls_native_certs::load_native_certs()
            .certs
            .into_iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let tls = TlsConfig::builder()
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(RootCerts::Specific(Arc::new(certs)))
            .build();
        let config = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("tablica-bridge/", env!("CARGO_PKG_VERSION")))
            .build();
        Poller {
            agent: ureq::Agent::new_with_config(config),
            url: url.to_owned(),
            timeout,
            etag: None,
            last_modified: None,
        }
    }

    /// One GET. Blocking: call it from a blocking thread.
    pub fn fetch(&mut self) -> Result<Fetched, FetchError> {
        let mut request = self.agent.get(&self.url);
        if let Some(etag) = &self.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = &self.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        let mut response = request.call().map_err(|e| self.error(e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let text = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty() && v.len() < 256)
                .map(str::to_owned)
        };
        let (etag, last_modified) = (text(header::ETAG), text(header::LAST_MODIFIED));
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.error(e))?;
        // Only a whole body may be the base of the next conditional request.
        self.etag = etag;
        self.last_modified = last_modified;
        Ok(Fetched::Body(body))
    }

    fn error(&self, e: ureq::Error) -> FetchError {
        match e {
            ureq::Error::Timeout(_) => FetchError::Timeout(self.timeout),
            ureq::Error::StatusCode(code) => FetchError::Status(code),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                FetchError::Timeout(self.timeout)
            }
            other => FetchError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// An HTTPS poll builds its TLS setup (ring, the system's roots) and fails cleanly against a
    /// server that does not speak TLS: an error, never a panic for want of a crypto provider.
    #[test]
    fn https_against_a_server_without_tls_is_a_transport_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf);
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
            }
        });
        let mut poller = Poller::new(&format!("https://{addr}/"), Duration::from_secs(5));
        let result = poller.fetch();
        assert!(
            matches!(result, Err(FetchError::Transport(_))),
            "{result:?}"
        );
    }

    #[test]
    fn nothing_listening_and_no_answer_are_errors() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = free.local_addr().unwrap();
        drop(free);
        let mut poller = Poller::new(&format!("http://{addr}/"), Duration::from_secs(5));
        assert!(matches!(poller.fetch(), Err(FetchError::Transport(_))));

        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap();
        let mut poller = Poller::new(&format!("http://{addr}/"), Duration::from_millis(300));
        assert_eq!(
            poller.fetch(),
            Err(FetchError::Timeout(Duration::from_millis(300)))
        );
        drop(silent);
    }
}
