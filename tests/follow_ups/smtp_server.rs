//! A tiny SMTP server for tests: plain text, no TLS, no authentication; just enough of the
//! protocol for lettre. It records every message it accepts, can be told to refuse mail for now
//! (451) and can be stopped, so tests see what a real server would have received.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<String>>>,
    refuse: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicBool::new(false));
        let (r, f) = (received.clone(), refuse.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, r.clone(), f.clone()));
            }
        });
        SmtpServer {
            port,
            received,
            refuse,
            task,
        }
    }

    /// A mailer for this server, as `MEND_SMTP_URL` would configure it.
    pub fn mailer(&self) -> mend::mail::Mailer {
        mend::mail::Mailer::new(
            &format!("smtp://127.0.0.1:{}", self.port),
            "Mend <mend@example.com>",
        )
        .expect("mailer")
    }

    /// Every message accepted so far, as sent (headers and body, dot-stuffing undone).
    pub fn messages(&self) -> Vec<String> {
        self.received.lock().expect("lock").clone()
    }

    /// While on, every message is refused with "451 try again later".
    pub fn refuse(&self, on: bool) {
        self.refuse.store(on, Ordering::SeqCst);
    }

    /// Stops listening: connecting is refused from now on.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

async fn session(stream: TcpStream, received: Arc<Mutex<Vec<String>>>, refuse: Arc<AtomicBool>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !reply(&mut write, "220 test.localhost ESMTP ready\r\n").await {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" => "250-test.localhost\r\n250 HELP\r\n",
            "MAIL" if refuse.load(Ordering::SeqCst) => "451 4.3.0 Try again later\r\n",
            "MAIL" | "RCPT" | "RSET" | "NOOP" => "250 OK\r\n",
            "DATA" => {
                if !reply(&mut write, "354 End data with <CR><LF>.<CR><LF>\r\n").await {
                    return;
                }
                let mut message = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    message.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                // The line break before the final dot belongs to the end-of-data mark.
                if message.ends_with("\r\n") {
                    message.truncate(message.len() - 2);
                }
                received.lock().expect("lock").push(message);
                "250 OK: queued\r\n"
            }
            "QUIT" => {
                let _ = reply(&mut write, "221 Bye\r\n").await;
                return;
            }
            _ => "502 Command not implemented\r\n",
        };
        if !reply(&mut write, answer).await {
            return;
        }
    }
}

async fn reply(write: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    write.write_all(text.as_bytes()).await.is_ok()
}
