//! Sending the outbox over SMTP.
//!
//! lettre speaks SMTP (plain, STARTTLS or implicit TLS, with rustls) and builds the messages;
//! the outbox is ours, and so is what happens around each send, because it must hold across
//! restarts and across several Mend instances sharing one database, which no in-process retry
//! of a mail library can give: each message is claimed in a short transaction of its own
//! (`for update skip locked`, then `locked_until` = now + 10 minutes and the attempt counted),
//! sent, then marked sent. A failed send releases the claim and pushes `send_after` back by an
//! exponential backoff (1 minute, 2, 4, … at most 6 hours), keeping the error (without the SMTP
//! password) for the admin's outbox page; the message is never dropped.
//!
//! When the server cannot be reached at all, the round stops after that message, so an
//! unreachable server costs one connection attempt per pass, not one per queued message.
//!
//! Delivery is at least once: if Mend dies after the server accepted a message but before it
//! was marked sent, the row stays claimed, and the message goes out once more after the claim
//! expires (10 minutes later); each such crash repeats a message at most once. Both copies carry
//! the same `Message-ID`, derived from the outbox row's id, so mail clients and people can tell
//! it is a repeat.

use crate::db::outbox::Claimed;
use anyhow::anyhow;
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How long a sender holds a claimed message; far longer than one SMTP conversation takes.
pub const CLAIM: chrono::TimeDelta = chrono::TimeDelta::minutes(10);
/// The longest wait between two attempts.
const MAX_BACKOFF: chrono::TimeDelta = chrono::TimeDelta::hours(6);
/// An error kept on the row is cut to this many characters.
pub const MAX_ERROR_CHARS: usize = 500;

/// An SMTP connection configuration and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The URL's user name and password, as written and percent-decoded, scrubbed from any
    /// error text before it is logged or stored.
    secrets: Vec<String>,
}

impl Mailer {
    /// From `MEND_SMTP_URL` and `MEND_MAIL_FROM`. The URL follows lettre's rules:
    /// `smtp://host:25` is plain SMTP (no STARTTLS), `smtp://user:pass@host:587?tls=required`
    /// requires STARTTLS (`?tls=opportunistic` uses it when offered), and
    /// `smtps://user:pass@host:465` is TLS from the start. A path (`smtp://host/mend.example.com`)
    /// sets the name Mend greets the server with.
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Mailer> {
        let secrets = url_secrets(smtp_url);
        let scrub_all = |text: String| scrub(&text, &secrets);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                anyhow!(
                    "The SMTP URL (MEND_SMTP_URL) cannot be used: {}. Write it as smtp://host:25 \
                     (plain), smtp://user:password@host:587?tls=required (STARTTLS) or \
                     smtps://user:password@host:465 (TLS).",
                    scrub_all(e.to_string())
                )
            })?
            .build();
        let from: Mailbox = from.trim().parse().map_err(|e| {
            anyhow!(
                "The sender (MEND_MAIL_FROM) {from:?} is not an e-mail address ({e}). Write it as \
                 mend@example.com or \"Mend <mend@example.com>\"."
            )
        })?;
        Ok(Mailer {
            transport,
            from,
            secrets,
        })
    }

    /// The `Message-ID` of an outbox row: the same for every attempt at it.
    fn message_id(&self, id: uuid::Uuid) -> String {
        format!("<{id}@{}>", self.from.email.domain())
    }

    fn build(&self, m: &Claimed, now: DateTime<Utc>) -> Result<Message, String> {
        let to: Mailbox = m
            .to_address
            .parse()
            .map_err(|e| format!("the recipient {:?} is not an address: {e}", m.to_address))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.as_str())
            .message_id(Some(self.message_id(m.id)))
            .date(now.into())
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| format!("the message cannot be built: {e}"))
    }

    /// Sends one claimed message; the error is a sentence without credentials.
    /// Sends one claimed message.
    pub async fn send(&self, m: &Claimed, now: DateTime<Utc>) -> Result<(), SendError> {
        let message = self.build(m, now).map_err(SendError::Message)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let text = scrub(&format!("SMTP: {e}"), &self.secrets);
                // Without a reply code, the server was not reached (or the connection broke).
                Err(if e.status().is_some() {
                    SendError::Refused(text)
                } else {
                    SendError::Unreachable(text)
                })
            }
        }
    }
}

pub enum SendError {
    /// This message cannot be sent as it is.
    Message(String),
    /// The server answered with an error.
    Refused(String),
    /// The server could not be reached: the next messages would fail the same way.
    Unreachable(String),
}

impl SendError {
    pub fn text(&self) -> &str {
        match self {
            SendError::Message(t) | SendError::Refused(t) | SendError::Unreachable(t) => t,
        }
    }
}

/// The wait after the `attempts`-th failed attempt: 1 minute, doubling each time, at most
/// 6 hours.
pub fn backoff(attempts: i32) -> chrono::TimeDelta {
    let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
    chrono::TimeDelta::minutes(1)
        .checked_mul(2_i32.saturating_pow(doublings))
        .map_or(MAX_BACKOFF, |d| d.min(MAX_BACKOFF))
}

/// The user name and password in an SMTP URL, raw and percent-decoded.
fn url_secrets(url: &str) -> Vec<String> {
    let Some((_, rest)) = url.split_once("://") else {
        return Vec::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return Vec::new();
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let mut secrets = Vec::new();
    // The user name is kept out too when there is a password: it is often the address whose
    // password it is.
    if !password.is_empty() {
        for part in [password, user] {
            secrets.push(part.to_string());
            if let Ok(decoded) = urlencoding::decode(part) {
                secrets.push(decoded.into_owned());
            }
        }
    }
    secrets.retain(|s| s.len() >= 3);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

fn scrub(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text.to_string(), |t, s| t.replace(s.as_str(), "[redacted]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_a_minute_up_to_six_hours() {
        let minutes = |n| backoff(n).num_minutes();
        assert_eq!(minutes(1), 1);
        assert_eq!(minutes(2), 2);
        assert_eq!(minutes(3), 4);
        assert_eq!(minutes(9), 256);
        assert_eq!(minutes(10), 360);
        assert_eq!(minutes(1000), 360);
        assert_eq!(minutes(0), 1);
    }

    #[test]
    fn credentials_are_scrubbed_from_error_text() {
        let secrets = url_secrets("smtp://me%40example.com:p%40ss@mail:587?tls=required");
        let text = scrub("535 bad login for me@example.com with p@ss", &secrets);
        assert_eq!(text, "535 bad login for [redacted] with [redacted]");
    }
}
