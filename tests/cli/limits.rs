//! What a client may hold: a connection that is slow to send its request headers, or sends
//! nothing at all, is closed after `--header-read-timeout`, while ordinary requests are served.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::support::DataDir;

/// Reads until the server closes the connection; returns what it sent and how long that took.
fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_others_are_served() {
    let dir = DataDir::new();
    let server = dir.serve_with(&["--header-read-timeout", "1"]);
    let connect = || TcpStream::connect(("127.0.0.1", server.port)).expect("connect");

    // Headers a few bytes at a time, never finished (slowloris).
    let mut slow = connect();
    slow.write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .expect("write");
    let mut idle = connect();

    let (said, took) = read_until_closed(&mut slow);
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    assert!(!said.contains("200 OK"), "{said}");
    let (_, took) = read_until_closed(&mut idle);
    assert!(
        took < Duration::from_secs(5),
        "idle connection closed after {took:?}"
    );

    // Meanwhile an ordinary request is answered.
    let mut fine = connect();
    fine.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .expect("write");
    let (answer, _) = read_until_closed(&mut fine);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    server.signal(Signal::SIGTERM);
    assert!(server.wait().0);
}
