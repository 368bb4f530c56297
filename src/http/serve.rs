//! The serving shell shared by `listen`, `relay` and `ui`: the runtime, the bound
//! socket and the URL it is reached at, TLS, the signals that stop a server, and the
//! certificate made for one run. Plumbing only: what is served is the caller's.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A multi-threaded runtime with as many workers as the cores this process may run
/// on (taskset is respected), at most 8.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
}

/// `host:port` as a URL writes it (an IPv6 address in brackets).
pub fn shown_addr(addr: SocketAddr) -> String {
    if addr.ip().is_ipv6() {
        format!("[{}]:{}", addr.ip(), addr.port())
    } else {
        addr.to_string()
    }
}

/// Where TLS comes from, if it is on.
#[derive(Debug, Clone)]
pub enum TlsFrom {
    Off,
    Files {
        cert: PathBuf,
        key: PathBuf,
    },
    /// A certificate made for this run, removed when it ends.
    SelfSigned,
}

/// TLS for a server bound to `addr`, and the file to remove when the run ends.
pub fn tls(
    from: &TlsFrom,
    addr: SocketAddr,
) -> anyhow::Result<(Option<super::tls::Tls>, Option<RemoveOnDrop>)> {
    Ok(match from {
        TlsFrom::Off => (None, None),
        TlsFrom::Files { cert, key } => (Some(super::tls::from_files(cert, key)?), None),
        TlsFrom::SelfSigned => {
            let path = std::env::temp_dir().join(format!("hookctl-listen-{}.pem", addr.port()));
            let tls = super::tls::self_signed(&path)?;
            let made = RemoveOnDrop(tls.cert_path.clone());
            (Some(tls), Some(made))
        }
    })
}

/// Removes a file when dropped (a certificate made for one run).
pub struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Ends when the process is asked to stop: Ctrl-C, or SIGTERM (a service manager,
/// `kill`). Call it before the first line says the server is up, so that a signal
/// sent right after that line is not missed.
pub fn stop_requested() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let terminate = async {
            #[cfg(unix)]
            if let Some(mut s) = term {
                s.recv().await;
                return;
            }
            std::future::pending::<()>().await
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
    }
}

/// How long a stopping server gives answers in flight, and its runtime's tasks.
pub const GRACE: Duration = Duration::from_secs(2);
