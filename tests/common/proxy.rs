//! A TCP proxy in front of a database server that cuts a connection the way a network does:
//! the client's statement reaches the server, which runs it to the end, and the answer never
//! comes back. Armed with a piece of SQL, it forwards the first client packet that contains it,
//! then drops whatever the server answers and closes both sides of that connection. Every other
//! connection (and every connection after the cut) passes through untouched.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

pub struct CuttingProxy {
    pub port: u16,
    /// The SQL to cut after; `None` once it has cut (or when disarmed).
    trigger: Arc<Mutex<Option<Vec<u8>>>>,
    cut: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl CuttingProxy {
    /// A proxy on a free loopback port forwarding to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let trigger: Arc<Mutex<Option<Vec<u8>>>> = Arc::new(Mutex::new(None));
        let cut = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, c, s) = (trigger.clone(), cut.clone(), stop.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
                    continue;
                };
                relay(client, server, t.clone(), c.clone());
            }
        });
        Self {
            port,
            trigger,
            cut,
            stop,
        }
    }

    /// Cuts the next connection whose client sends `sql` (matched byte for byte).
    pub fn arm(&self, sql: &str) {
        *self.trigger.lock().unwrap() = Some(sql.as_bytes().to_vec());
        self.cut.store(false, Ordering::SeqCst);
    }

    /// Whether the armed statement was seen and its connection cut.
    pub fn has_cut(&self) -> bool {
        self.cut.load(Ordering::SeqCst)
    }

    /// `url` (of the upstream server) pointed at the proxy instead, without TLS (the proxy
    /// reads the statements).
    pub fn url(&self, url: &str, upstream_port: u16) -> String {
        let url = url.replacen(
            &format!(":{upstream_port}/"),
            &format!(":{}/", self.port),
            1,
        );
        let sep = if url.contains('?') { '&' } else { '?' };
        if url.starts_with("postgres") {
            format!("{url}{sep}sslmode=disable")
        } else {
            format!("{url}{sep}ssl-mode=disabled")
        }
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Copies both ways; the client-to-server side watches for the trigger.
fn relay(
    client: TcpStream,
    server: TcpStream,
    trigger: Arc<Mutex<Option<Vec<u8>>>>,
    cut: Arc<AtomicBool>,
) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    // Set once this connection sent the trigger: the server's answer is then dropped.
    let doomed = Arc::new(AtomicBool::new(false));
    let (mut c_read, mut c_write) = (client.try_clone().unwrap(), client);
    let (mut s_read, mut s_write) = (server.try_clone().unwrap(), server);
    let up_doomed = doomed.clone();
    thread::spawn(move || {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match c_read.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            {
                let mut armed = trigger.lock().unwrap();
                if armed.as_deref().is_some_and(|t| contains(&buf[..n], t)) {
                    *armed = None;
                    up_doomed.store(true, Ordering::SeqCst);
                }
            }
            if s_write.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = s_write.shutdown(Shutdown::Write);
    });
    thread::spawn(move || {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match s_read.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if doomed.load(Ordering::SeqCst) {
                // The server finished the statement; its answer is lost with the connection.
                cut.store(true, Ordering::SeqCst);
                let _ = s_read.shutdown(Shutdown::Both);
                let _ = c_write.shutdown(Shutdown::Both);
                return;
            }
            if c_write.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = c_write.shutdown(Shutdown::Write);
    });
}
