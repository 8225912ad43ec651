//! A case's stage work, the lists that grow as it is worked: conversations, action items and
//! lessons (commitments have their ledger in `commitments`). Adding never conflicts, so it
//! needs no version; removing marks an item removed and the timeline keeps it.

use serde_json::json;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::timeline::event;
use crate::domain::case::{NewAction, NewConversation};

pub async fn add_conversation(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    c: &NewConversation,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into conversations (case_id, channel, with_whom, happened_at, summary, sentiment,
                listened_fully, validated_feelings, took_responsibility, asked_what_differently, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        case_id,
        c.channel.as_str(),
        c.with_whom,
        c.happened_at,
        c.summary,
        c.sentiment,
        c.listened_fully,
        c.validated_feelings,
        c.took_responsibility,
        c.asked_what_differently,
        actor
    )
    .execute(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "conversation",
        &format!(
            "Talked with {} {} \u{2014} {}",
            c.with_whom,
            c.channel.how(),
            crate::domain::case::mood_sentence(c.sentiment)
        ),
        json!({"sentiment": c.sentiment}),
    )
    .await
}

/// Adds an action item; the owner must be an active member of the case's team.
pub async fn add_action(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    team_id: Uuid,
    a: &NewAction,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let owner = sqlx::query_scalar!(
        "select name from users where id = $1 and team_id = $2 and active",
        a.owner_id,
        team_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(owner) = owner else { return Ok(false) };
    sqlx::query!(
        "insert into action_items (case_id, what, owner_id, due_date, created_by) values ($1, $2, $3, $4, $5)",
        case_id,
        a.what,
        a.owner_id,
        a.due_date,
        actor
    )
    .execute(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "action",
        &format!("Added an action for {owner}: {}", a.what),
        json!({}),
    )
    .await?;
    Ok(true)
}

/// Marks an action item done (or not done again). Returns false if it is not on this case.
pub async fn set_action_done(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    item: Uuid,
    done: bool,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let what = sqlx::query_scalar!(
        "update action_items set done_at = case when $3 then coalesce(done_at, now()) else null end
         where id = $1 and case_id = $2 and removed_at is null returning what",
        item,
        case_id,
        done
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(what) = what else { return Ok(false) };
    let summary = if done {
        format!("Done: {what}")
    } else {
        format!("Reopened: {what}")
    };
    event(tx, case_id, actor, "action", &summary, json!({})).await?;
    Ok(true)
}

/// Which list a removable item belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    Conversation,
    Action,
    Commitment,
    Lesson,
}

/// Removes an item from a case (it stays in the database, marked removed). False if not found.
pub async fn remove_item(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    kind: Item,
    item: Uuid,
    actor: Uuid,
) -> sqlx::Result<bool> {
    let text = match kind {
        Item::Conversation => sqlx::query_scalar!(
            "update conversations set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning summary",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
        Item::Action => sqlx::query_scalar!(
            "update action_items set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning what",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
        Item::Commitment => sqlx::query_scalar!(
            "update commitments set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning text",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
        Item::Lesson => sqlx::query_scalar!(
            "update lessons set removed_at = now(), removed_by = $3 where id = $1 and case_id = $2 and removed_at is null returning text",
            item, case_id, actor).fetch_optional(&mut **tx).await?,
    };
    let Some(text) = text else { return Ok(false) };
    let what = match kind {
        Item::Conversation => "a conversation",
        Item::Action => "an action",
        Item::Commitment => "a commitment",
        Item::Lesson => "a lesson",
    };
    let short: String = text.chars().take(80).collect();
    event(
        tx,
        case_id,
        actor,
        "removed",
        &format!("Removed {what}: {short}"),
        json!({"item": item}),
    )
    .await?;
    Ok(true)
}

pub async fn add_lesson(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
    text: &str,
    applies_to_all: bool,
    actor: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into lessons (case_id, text, applies_to_all, created_by) values ($1, $2, $3, $4)",
        case_id,
        text,
        applies_to_all,
        actor
    )
    .execute(&mut **tx)
    .await?;
    event(
        tx,
        case_id,
        actor,
        "lesson",
        &format!("Recorded a lesson: {text}"),
        json!({}),
    )
    .await
}

/// What is still open on case `case_id`: its action items not done, and its commitments never
/// marked or slipping, as "Action: …" / "Commitment: …" lines.
pub async fn still_open(
    tx: &mut Transaction<'_, Postgres>,
    case_id: Uuid,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"select line as "line!" from (
             select 1 as k, created_at, 'Action: ' || what as line from action_items
             where case_id = $1 and done_at is null and removed_at is null
             union all
             select 2, created_at, 'Commitment: ' || text || case when state = 'slipping'
                                                   then ' (slipping)' else '' end
             from commitments
             where case_id = $1 and removed_at is null and state in ('open', 'slipping')) o
           order by k, created_at"#,
        case_id
    )
    .fetch_all(&mut **tx)
    .await
}
