//! Writing the generated rows: one `insert … select … from unnest(…)` per table and batch of
//! rows, in transactions marked as a bulk load (`bulk_load`), so the triggers that keep what
//! cases derive from their rows step aside.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::rows::{
    ActionItemRow, CaseRow, CheckInRow, ConversationRow, Dataset, EventRow, FollowUpPlanRow,
    NoteRow, UserRow,
};

/// Rows per `insert` statement: large enough to be fast, small enough to keep each statement's
/// arrays and trigger work modest.
const ROWS_PER_STATEMENT: usize = 5_000;

/// The values of one column of `rows`, for binding as an array.
fn col<'r, R, T>(rows: &'r [R], f: impl Fn(&'r R) -> T) -> Vec<T> {
    rows.iter().map(f).collect()
}

/// Conversations, action items, lessons, commitments, follow-up plans and check-ins: the rows
/// each case summarises (search text, first contact, fix time, mood, gate counts). The cases
/// get those facts once, from all their rows, so the load asks the triggers that would
/// recompute them after every statement to step aside.
#[tracing::instrument(skip_all)]
pub(super) async fn insert_talk(pool: &PgPool, data: &Dataset) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    bulk_load(&mut tx).await?;
    let cases: HashMap<Uuid, &CaseRow> = data.cases.iter().map(|c| (c.id, c)).collect();
    let timer = Instant::now();
    insert_conversations(&mut tx, &data.conversations, &cases)
        .await
        .context("inserting demo conversations")?;
    let timer = log_step("conversations", data.conversations.len(), timer);
    insert_action_items(&mut tx, &data.action_items)
        .await
        .context("inserting demo action items")?;
    let timer = log_step("action items", data.action_items.len(), timer);
    insert_notes(&mut tx, "lessons", &data.lessons)
        .await
        .context("inserting demo lessons")?;
    let timer = log_step("lessons", data.lessons.len(), timer);
    insert_notes(&mut tx, "commitments", &data.commitments)
        .await
        .context("inserting demo commitments")?;
    let timer = log_step("commitments", data.commitments.len(), timer);
    insert_follow_up_plans(&mut tx, &data.follow_up_plans)
        .await
        .context("inserting demo follow-up plans")?;
    let timer = log_step("follow-up plans", data.follow_up_plans.len(), timer);
    insert_check_ins(&mut tx, &data.check_ins, &cases)
        .await
        .context("inserting demo check-ins")?;
    let timer = log_step("check-ins", data.check_ins.len(), timer);
    tx.commit().await?;
    // The cases' facts are read from these rows next, one case at a time: without fresh
    // statistics the planner takes the tables for empty and scans them whole for every case.
    sqlx::query(
        "analyze conversations, action_items, lessons, commitments, follow_up_plans, check_ins",
    )
    .execute(pool)
    .await
    .context("analysing the demo's rows")?;
    tracing::info!(
        seconds = format!("{:.1}", timer.elapsed().as_secs_f64()),
        "analysed the rows cases summarise"
    );
    Ok(())
}

/// The timeline (no triggers: it can load beside the rest).
#[tracing::instrument(skip_all)]
pub(super) async fn insert_work(pool: &PgPool, data: &Dataset) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    bulk_load(&mut tx).await?;
    let timer = Instant::now();
    insert_events(&mut tx, &data.events)
        .await
        .context("inserting demo case events")?;
    log_step("timeline events", data.events.len(), timer);
    tx.commit().await?;
    Ok(())
}

/// Logs how long writing one table took; returns the start of the next step.
pub(super) fn log_step(table: &str, rows: usize, started: Instant) -> Instant {
    tracing::info!(
        rows,
        seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
        "inserted {table}"
    );
    Instant::now()
}

#[tracing::instrument(skip_all)]
pub(super) async fn insert_users(
    conn: &mut PgConnection,
    rows: &[UserRow],
    data: &Dataset,
) -> sqlx::Result<()> {
    let team_ids: Vec<Option<Uuid>> = col(rows, |u| u.team.map(|t| data.team_ids[t]));
    sqlx::query(
        "insert into users (id, email, name, role, team_id, password_hash, time_zone)
         select id, email, name, role, team_id, $6, time_zone
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $7::text[])
             as t(id, email, name, role, team_id, time_zone)",
    )
    .bind(col(rows, |u| u.id))
    .bind(col(rows, |u| u.email.as_str()))
    .bind(col(rows, |u| u.name))
    .bind(col(rows, |u| u.role))
    .bind(team_ids)
    .bind(data.password_hash.as_str())
    .bind(col(rows, |u| u.time_zone))
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub(super) async fn insert_accounts(conn: &mut PgConnection, data: &Dataset) -> sqlx::Result<()> {
    for rows in data.accounts.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into accounts (id, name, team_id, manager_id, annual_value_minor, currency, tier,
                 contact_name, contact_email, contact_phone, notes, created_at, updated_at)
             select id, name, team_id, manager_id, value, 'EUR', tier,
                 contact_name, contact_email, contact_phone, notes, created_at, created_at
             from unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::int8[], $6::text[],
                 $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
                 as t(id, name, team_id, manager_id, value, tier,
                      contact_name, contact_email, contact_phone, notes, created_at)",
        )
        .bind(col(rows, |a| a.id))
        .bind(col(rows, |a| a.name.as_str()))
        .bind(col(rows, |a| data.team_ids[a.team]))
        .bind(col(rows, |a| a.manager_id))
        .bind(col(rows, |a| a.annual_value_minor))
        .bind(col(rows, |a| a.tier))
        .bind(col(rows, |a| a.contact_name.as_str()))
        .bind(col(rows, |a| a.contact_email.as_str()))
        .bind(col(rows, |a| a.contact_phone.as_str()))
        .bind(col(rows, |a| a.notes))
        .bind(col(rows, |a| a.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The cases, each with what it derives from its rows as the database defines it
/// (`case_facts`, migration 20261203001000): the rows are in already when the load can skip
/// foreign-key checks ([`rows_first`]), else the facts are refreshed once they are
/// ([`refresh_facts`]).
#[tracing::instrument(skip_all)]
pub(super) async fn insert_cases(pool: &PgPool, cases: &[CaseRow]) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    bulk_load(&mut tx).await?;
    for rows in cases.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into cases (id, number, account_id, team_id, owner_id, created_by, title,
                 what_happened,
                 category_id, severity, detected_by, occurred_at, detected_at, currency,
                 value_at_risk_minor, stage, outcome, root_cause, our_share, other_side_view,
                 relationship_value, decision, reparation_what, reparation_cost_minor,
                 reparation_none_reason, let_go, let_go_reason, let_go_requested_by,
                 let_go_requested_at, let_go_decided_by, let_go_decided_at, version, created_at,
                 updated_at, last_activity_at, closed_at, search, first_contact_at, mood,
                 fixed_at, open_action_due, conversation_count, non_email_count, action_count,
                 commitment_count, lesson_count, sentiment_check_in_count, has_plan)
             select t.id, t.number, t.account_id, t.team_id, t.owner_id, t.owner_id, t.title,
                 t.what_happened, t.category_id, t.severity, t.detected_by, t.occurred_at,
                 t.detected_at, 'EUR', t.value_at_risk, t.stage, t.outcome, t.root_cause,
                 t.our_share, t.other_side_view, t.relationship_value, t.decision,
                 t.reparation_what, t.reparation_cost, t.reparation_none_reason, t.let_go,
                 t.let_go_reason, t.let_go_requested_by, t.let_go_requested_at,
                 t.let_go_decided_by, t.let_go_decided_at, t.version, t.created_at,
                 t.last_activity_at, t.last_activity_at, t.closed_at,
                 case_search_vector(t.title, t.what_happened, f.lessons_text,
                                    f.conversations_text),
                 f.first_contact_at, f.mood, f.fixed_at, f.open_action_due,
                 f.conversation_count, f.non_email_count, f.action_count, f.commitment_count,
                 f.lesson_count, f.sentiment_check_in_count, f.has_plan
             from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[],
                 $7::uuid[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[],
                 $12::int8[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                 $18::text[], $19::text[], $20::text[], $21::int8[], $22::text[], $23::text[],
                 $24::text[], $25::uuid[], $26::timestamptz[], $27::uuid[], $28::timestamptz[],
                 $29::int4[], $30::timestamptz[], $31::timestamptz[], $32::timestamptz[],
                 $33::int8[])
                 as t(id, account_id, team_id, owner_id, title, what_happened,
                      category_id, severity, detected_by, occurred_at, detected_at,
                      value_at_risk, stage, outcome, root_cause, our_share, other_side_view,
                      relationship_value, decision, reparation_what, reparation_cost,
                      reparation_none_reason, let_go, let_go_reason, let_go_requested_by,
                      let_go_requested_at, let_go_decided_by, let_go_decided_at, version,
                      created_at, last_activity_at, closed_at, number)
             cross join lateral case_facts(array[t.id]) f",
        )
        .bind(col(rows, |c| c.id))
        .bind(col(rows, |c| c.account_id))
        .bind(col(rows, |c| c.team_id))
        .bind(col(rows, |c| c.owner_id))
        .bind(col(rows, |c| c.title.as_str()))
        .bind(col(rows, |c| c.what_happened.as_str()))
        .bind(col(rows, |c| c.category_id))
        .bind(col(rows, |c| c.severity))
        .bind(col(rows, |c| c.detected_by))
        .bind(col(rows, |c| c.occurred_at))
        .bind(col(rows, |c| c.detected_at))
        .bind(col(rows, |c| c.value_at_risk_minor))
        .bind(col(rows, |c| c.stage))
        .bind(col(rows, |c| c.outcome))
        .bind(col(rows, |c| c.root_cause))
        .bind(col(rows, |c| c.our_share))
        .bind(col(rows, |c| c.other_side_view))
        .bind(col(rows, |c| c.relationship_value))
        .bind(col(rows, |c| c.decision))
        .bind(col(rows, |c| c.reparation_what))
        .bind(col(rows, |c| c.reparation_cost_minor))
        .bind(col(rows, |c| c.reparation_none_reason))
        .bind(col(rows, |c| c.let_go))
        .bind(col(rows, |c| c.let_go_reason))
        .bind(col(rows, |c| c.let_go_requested_by))
        .bind(col(rows, |c| c.let_go_requested_at))
        .bind(col(rows, |c| c.let_go_decided_by))
        .bind(col(rows, |c| c.let_go_decided_at))
        .bind(col(rows, |c| c.version))
        .bind(col(rows, |c| c.created_at))
        .bind(col(rows, |c| c.last_activity_at))
        .bind(col(rows, |c| c.closed_at))
        .bind(col(rows, |c| c.number))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Whether the load writes the rows cases summarise before the cases: possible when it may skip
/// the foreign-key checks (as a superuser, see [`bulk_load`]), and faster, since each case is
/// then written once, with its facts. Otherwise the cases go first and their facts are
/// refreshed after ([`refresh_facts`]), which writes each case twice.
pub(super) async fn rows_first(pool: &PgPool) -> sqlx::Result<bool> {
    let mut conn = pool.acquire().await?;
    superuser(&mut conn).await
}

/// Writes what the cases derive from their rows (`cases_refresh_facts`), for a load that wrote
/// the cases before their rows.
#[tracing::instrument(skip_all)]
pub(super) async fn refresh_facts(pool: &PgPool, cases: &[CaseRow]) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    bulk_load(&mut tx).await?;
    for rows in cases.chunks(ROWS_PER_STATEMENT) {
        sqlx::query("select cases_refresh_facts($1)")
            .bind(col(rows, |c| c.id))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

async fn superuser(conn: &mut PgConnection) -> sqlx::Result<bool> {
    sqlx::query_scalar("select current_setting('is_superuser') = 'on'")
        .fetch_one(conn)
        .await
}

/// Marks the transaction a bulk load: the triggers that keep what cases derive from their rows
/// step aside (migration 20261128000004), because the loader writes those values itself, by the
/// same definition (`case_facts`), once per case rather than once per case and table. As a
/// superuser (the embedded database), the load also skips the per-row foreign-key checks
/// (`session_replication_role`): the demo's rows refer to each other by construction, and the
/// demo's tests check that they do.
async fn bulk_load(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("set local mend.bulk_load = 'on'")
        .execute(&mut *conn)
        .await?;
    if superuser(&mut *conn).await? {
        sqlx::query("set local session_replication_role = replica")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_conversations(
    conn: &mut PgConnection,
    conversations: &[ConversationRow],
    cases: &HashMap<Uuid, &CaseRow>,
) -> sqlx::Result<()> {
    let case = |v: &ConversationRow| cases.get(&v.case_id).copied();
    for rows in conversations.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            // With the case's team and owner, which the copy trigger would add (a bulk load;
            // the case may not be written yet).
            "insert into conversations (id, case_id, channel, with_whom, happened_at, summary,
                 sentiment, listened_fully, validated_feelings, took_responsibility,
                 asked_what_differently, created_by, created_at, team_id, owner_id)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[],
                 $5::timestamptz[], $6::text[], $7::int2[], $8::bool[], $9::bool[], $10::bool[],
                 $11::bool[], $12::uuid[], $13::timestamptz[], $14::uuid[], $15::uuid[])",
        )
        .bind(col(rows, |c| c.id))
        .bind(col(rows, |c| c.case_id))
        .bind(col(rows, |c| c.channel))
        .bind(col(rows, |c| c.with_whom.as_str()))
        .bind(col(rows, |c| c.happened_at))
        .bind(col(rows, |c| c.summary.as_str()))
        .bind(col(rows, |c| c.sentiment))
        .bind(col(rows, |c| c.listened_fully))
        .bind(col(rows, |c| c.validated_feelings))
        .bind(col(rows, |c| c.took_responsibility))
        .bind(col(rows, |c| c.asked_what_differently))
        .bind(col(rows, |c| c.created_by))
        .bind(col(rows, |c| c.created_at))
        .bind(col(rows, |v| case(v).map(|c| c.team_id)))
        .bind(col(rows, |v| case(v).map(|c| c.owner_id)))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_action_items(conn: &mut PgConnection, items: &[ActionItemRow]) -> sqlx::Result<()> {
    for rows in items.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into action_items (id, case_id, what, owner_id, due_date, done_at, created_by,
                 created_at)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::date[],
                 $6::timestamptz[], $7::uuid[], $8::timestamptz[])",
        )
        .bind(col(rows, |a| a.id))
        .bind(col(rows, |a| a.case_id))
        .bind(col(rows, |a| a.what.as_str()))
        .bind(col(rows, |a| a.owner_id))
        .bind(col(rows, |a| a.due_date))
        .bind(col(rows, |a| a.done_at))
        .bind(col(rows, |a| a.created_by))
        .bind(col(rows, |a| a.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Commitments or lessons; `table` is one of those two constant names, never input.
#[tracing::instrument(skip_all, fields(table = %table))]
async fn insert_notes(
    conn: &mut PgConnection,
    table: &'static str,
    notes: &[NoteRow],
) -> sqlx::Result<()> {
    let sql = match table {
        "lessons" => {
            "insert into lessons (id, case_id, text, applies_to_all, created_by, created_at)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::bool[], $5::uuid[],
                 $6::timestamptz[])"
        }
        _ => {
            "insert into commitments (id, case_id, text, created_by, created_at)
             select id, case_id, text, created_by, created_at
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::bool[], $5::uuid[],
                 $6::timestamptz[]) as t(id, case_id, text, applies_to_all, created_by, created_at)"
        }
    };
    for rows in notes.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(sql)
            .bind(col(rows, |n| n.id))
            .bind(col(rows, |n| n.case_id))
            .bind(col(rows, |n| n.text))
            .bind(col(rows, |n| n.applies_to_all))
            .bind(col(rows, |n| n.created_by))
            .bind(col(rows, |n| n.created_at))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_follow_up_plans(
    conn: &mut PgConnection,
    plans: &[FollowUpPlanRow],
) -> sqlx::Result<()> {
    for rows in plans.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            "insert into follow_up_plans (id, case_id, cadence, every_days, first_due, assignee_id,
                 end_after, created_by, created_at, adaptive, base_seq, good_streak)
             select id, case_id, cadence, every_days, first_due, assignee_id, end_after,
                 assignee_id, created_at, adaptive, base_seq, good_streak
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::int4[], $5::date[], $6::uuid[],
                 $7::int4[], $8::timestamptz[], $9::bool[], $10::int4[], $11::int4[])
                 as t(id, case_id, cadence, every_days, first_due, assignee_id, end_after,
                      created_at, adaptive, base_seq, good_streak)",
        )
        .bind(col(rows, |p| p.id))
        .bind(col(rows, |p| p.case_id))
        .bind(col(rows, |p| p.cadence))
        .bind(col(rows, |p| p.every_days))
        .bind(col(rows, |p| p.first_due))
        .bind(col(rows, |p| p.assignee_id))
        .bind(col(rows, |p| p.end_after))
        .bind(col(rows, |p| p.created_at))
        .bind(col(rows, |p| p.adaptive))
        .bind(col(rows, |p| p.base_seq))
        .bind(col(rows, |p| p.good_streak))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_check_ins(
    conn: &mut PgConnection,
    check_ins: &[CheckInRow],
    cases: &HashMap<Uuid, &CaseRow>,
) -> sqlx::Result<()> {
    let case = |k: &CheckInRow| cases.get(&k.case_id).copied();
    for rows in check_ins.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(
            // With the case's team and openness, which the copy trigger would add (a bulk load;
            // the case may not be written yet).
            "insert into check_ins (id, case_id, plan_id, seq, due_date, assignee_id, status,
                 completed_at, channel, summary, sentiment, next_step, skip_reason, created_at,
                 client_words, team_id, case_open)
             select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int4[], $5::date[],
                 $6::uuid[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::int2[],
                 $12::text[], $13::text[], $14::timestamptz[], $15::text[], $16::uuid[],
                 $17::bool[])",
        )
        .bind(col(rows, |c| c.id))
        .bind(col(rows, |c| c.case_id))
        .bind(col(rows, |c| c.plan_id))
        .bind(col(rows, |c| c.seq))
        .bind(col(rows, |c| c.due_date))
        .bind(col(rows, |c| c.assignee_id))
        .bind(col(rows, |c| c.status))
        .bind(col(rows, |c| c.completed_at))
        .bind(col(rows, |c| c.channel))
        .bind(col(rows, |c| c.summary.as_str()))
        .bind(col(rows, |c| c.sentiment))
        .bind(col(rows, |c| c.next_step.as_str()))
        .bind(col(rows, |c| c.skip_reason.as_str()))
        .bind(col(rows, |c| c.created_at))
        .bind(col(rows, |c| c.client_words))
        .bind(col(rows, |k| case(k).map(|c| c.team_id)))
        .bind(col(rows, |k| case(k).map(|c| c.outcome == "open")))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
async fn insert_events(conn: &mut PgConnection, events: &[EventRow]) -> sqlx::Result<()> {
    for rows in events.chunks(ROWS_PER_STATEMENT * 2) {
        // Ordered, so event ids follow time.
        sqlx::query(
            "insert into case_events (case_id, actor_id, kind, summary, data, created_at)
             select case_id, actor_id, kind, summary, data::jsonb, created_at
             from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                 $6::timestamptz[]) with ordinality
                 as t(case_id, actor_id, kind, summary, data, created_at, ord)
             order by ord",
        )
        .bind(col(rows, |e| e.case_id))
        .bind(col(rows, |e| e.actor_id))
        .bind(col(rows, |e| e.kind))
        .bind(col(rows, |e| e.summary.as_str()))
        .bind(col(rows, |e| e.data.as_str()))
        .bind(col(rows, |e| e.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
