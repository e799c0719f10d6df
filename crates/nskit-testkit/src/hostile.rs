//! A server that answers every request badly, as a broken or hostile registry, git host or
//! proxy might: with a body far larger than any real reply, or one trickled a byte at a
//! time. It serves on a raw socket, one thread per connection, until dropped.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How the server misbehaves.
#[derive(Debug, Clone, Copy)]
pub enum Misbehaviour {
    /// A `200` JSON reply of this many bytes, sent as fast as the client reads.
    Huge(u64),
    /// A `200` JSON reply sent one byte per interval, never ending.
    Trickle(Duration),
}

/// A running hostile server.
#[derive(Debug)]
pub struct HostileServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stop: Arc<AtomicBool>,
}

fn serve(mut s: TcpStream, how: Misbehaviour, stop: Arc<AtomicBool>) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut req = [0u8; 8192];
    let _ = s.read(&mut req);
    let head = match how {
        Misbehaviour::Huge(n) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            n
        ),
        Misbehaviour::Trickle(_) => {
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                .to_string()
        }
    };
    if s.write_all(head.as_bytes()).is_err() {
        return;
    }
    match how {
        Misbehaviour::Huge(n) => {
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0u64;
            let _ = s.write_all(b"[");
            sent += 1;
            while sent < n && !stop.load(Ordering::Relaxed) {
                let k = chunk.len().min((n - sent) as usize);
                if s.write_all(&chunk[..k]).is_err() {
                    return;
                }
                sent += k as u64;
            }
        }
        Misbehaviour::Trickle(every) => {
            let _ = s.write_all(b"{");
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                if s.write_all(b" ").and_then(|_| s.flush()).is_err() {
                    return;
                }
            }
        }
    }
}

impl HostileServer {
    /// Starts the server on 127.0.0.1 and a free port.
    pub fn start(how: Misbehaviour) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let f = flag.clone();
                        std::thread::spawn(move || serve(s, how, f));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        HostileServer { url, stop }
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
