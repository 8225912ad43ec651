//! The words of the e-mails the use cases queue: who hears of what, in which sentence, with
//! which link. Queueing is in the use case's transaction, so a message exists exactly when what
//! it reports happened.

use uuid::Uuid;

use super::Links;
use crate::db::escalation::Manager;
use crate::db::outbox::NewMessage;

/// The case a message is about.
pub struct CaseRef<'a> {
    pub number: i64,
    pub title: &'a str,
    pub account: &'a str,
}

/// To manager `m`: a commitment made on `case` was marked broken (mark `mark_id`), and `what`
/// became of the repair.
pub fn commitment_broken<'a>(
    links: Links<'_>,
    m: &'a Manager,
    case: &CaseRef<'_>,
    mark_id: Uuid,
    commitment: &str,
    what: &str,
) -> NewMessage<'a> {
    NewMessage {
        kind: "commitment",
        dedupe_key: format!("commitment:{mark_id}:{}", m.id),
        user_id: m.id,
        to_address: &m.email,
        subject: format!("Commitment broken: {} (CR-{})", case.account, case.number),
        body: format!(
            "Hello {},\n\nThe commitment \u{201c}{commitment}\u{201d} made to {} on CR-{} \u{201c}{}\u{201d} was marked broken. {what}\n\n{}\n\n-- \nMend",
            m.name,
            case.account,
            case.number,
            case.title,
            links.case(case.number)
        ),
    }
}
