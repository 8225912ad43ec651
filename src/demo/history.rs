//! What the live rules would have done to the demo's history, once its rows are written: the
//! escalation clock (quiet cases and repeat incidents) and the trust loop (commitment marks,
//! lessons with checklists and where they were rolled out).

use std::time::Instant;

use sqlx::PgConnection;

use crate::domain::escalation::REPEAT_WINDOW_DAYS;

/// What the escalation clock would have done to the demo's history, by its live rules: open
/// cases quiet past their severity's limit (`escalation_limits()`) were escalated when they
/// crossed it, and an incident logged within `REPEAT_WINDOW_DAYS` of a restore on the same
/// account was escalated at once and linked to that case. (The scheduler then only tells
/// managers of the escalations of the last week.)
#[tracing::instrument(skip_all)]
pub(super) async fn escalate(conn: &mut PgConnection) -> sqlx::Result<()> {
    let timer = Instant::now();
    let repeats = sqlx::query(
        "with r as (
             select c.id,
                    (select p.id from cases p
                     where p.account_id = c.account_id and p.outcome = 'restored'
                       and p.closed_at < c.created_at
                       and p.closed_at > c.created_at - make_interval(days => $1)
                     order by p.closed_at desc limit 1) as linked
             from cases c)
         update cases c set linked_case_id = r.linked, escalated_at = c.created_at,
                escalation_reason = 'repeat'
         from r where r.id = c.id and r.linked is not null",
    )
    .bind(REPEAT_WINDOW_DAYS)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let quiet = sqlx::query(
        "update cases c
         set escalated_at = c.last_activity_at + make_interval(days => l.days),
             escalation_reason = 'quiet'
         from escalation_limits() l
         where l.severity = c.severity and c.outcome = 'open'
           and c.last_activity_at + make_interval(days => l.days) < now()",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    tracing::info!(
        repeats,
        quiet,
        seconds = format!("{:.1}", timer.elapsed().as_secs_f64()),
        "escalated demo cases"
    );
    Ok(())
}

/// The commitment ledger and lessons that spread, on the demo's history: every commitment is
/// its case owner's; a restored case's commitments were marked kept at its last check-in; a few
/// open cases' were marked slipping at theirs, or broken while the case was still being made
/// right (at least one a team, where a team has such a case); the five latest lessons for all
/// clients of each team carry a checklist, done on most of the team's accounts. The choices
/// follow the rows' ids, which follow the seed.
#[tracing::instrument(skip_all)]
pub(super) async fn trust_loop(conn: &mut PgConnection) -> sqlx::Result<()> {
    let timer = Instant::now();
    // A stable "random" number from 0 to 99 for an id.
    let pick = "(('x' || substr(md5(({id})::text), 1, 7))::bit(28)::int % 100)";
    let pick = |id: &str| pick.replace("{id}", id);
    // Five lessons a team with a checklist: enough to show, few enough that My work stays
    // short at any size.
    let sql = format!(
        "update commitments m set owner_id = c.owner_id from cases c
         where c.id = m.case_id and m.owner_id is null;

         with last as (
             select distinct on (k.case_id) k.case_id, k.id, k.completed_at, c.outcome, c.owner_id
             from check_ins k join cases c on c.id = k.case_id
             where k.status = 'done' and k.completed_at > (select min(created_at) from commitments)
             order by k.case_id, k.completed_at desc),
         marked as (
             select m.id as commitment_id, l.case_id, l.id as check_in_id, l.owner_id, l.completed_at,
                    case when l.outcome = 'restored' then 'kept' else 'slipping' end as state
             from commitments m join last l on l.case_id = m.case_id
             where m.removed_at is null and m.created_at < l.completed_at
               and (l.outcome = 'restored' or (l.outcome = 'open' and {open_pick} < 8))),
         inserted as (
             insert into commitment_marks (commitment_id, case_id, check_in_id, state, marked_by, marked_at)
             select commitment_id, case_id, check_in_id, state, owner_id, completed_at from marked
             returning commitment_id, state, marked_at)
         update commitments m set state = i.state, state_at = i.marked_at
         from inserted i where i.commitment_id = m.id;

         with making_it_right as (
             select distinct on (c.id) m.id, m.text, c.id as case_id, c.owner_id, c.team_id,
                    least(m.created_at + interval '2 days', c.last_activity_at) as at,
                    {case_pick} as pick
             from cases c join commitments m on m.case_id = c.id and m.removed_at is null
             where c.outcome = 'open' and c.stage = 'making_it_right'
             order by c.id, m.created_at),
         broken as (
             select * from (
                 select k.*, row_number() over (partition by team_id order by pick, case_id) as rn
                 from making_it_right k) r
             where pick < 20 or rn = 1),
         marks as (
             insert into commitment_marks (commitment_id, case_id, state, marked_by, marked_at)
             select id, case_id, 'broken', owner_id, at from broken
             returning commitment_id),
         events as (
             insert into case_events (case_id, actor_id, kind, summary, data, created_at)
             select case_id, owner_id, 'commitment', 'Commitment broken: ' || text,
                    jsonb_build_object('commitment', id, 'mark', 'broken'), at
             from broken)
         update commitments m set state = 'broken', state_at = b.at
         from broken b where b.id = m.id;

         with chosen as (
             select id from (
                 select l.id, row_number() over (partition by c.team_id
                                                 order by l.created_at desc, l.id) as rn
                 from lessons l join cases c on c.id = l.case_id
                 where l.applies_to_all and l.removed_at is null and c.outcome <> 'open'
                   and l.created_at < now() - interval '14 days') r
             where rn <= 5)
         update lessons l set reach = 'team', checklist = array[
                 'Walk the client through what we changed after this lesson',
                 'Check their account for the same risk and note what you found',
                 'Agree who on their side hears from us first if it happens again']
         from chosen where chosen.id = l.id;

         insert into lesson_rollouts (lesson_id, account_id, done_by, done_at)
         select l.id, a.id, a.manager_id,
                least(l.created_at + make_interval(days => 1 + {rollout_pick} % 20), now())
         from lessons l join cases c on c.id = l.case_id
         join accounts a on a.team_id = c.team_id and a.id <> c.account_id
         where cardinality(l.checklist) > 0 and {rollout_pick} < 70;",
        open_pick = pick("l.id"),
        case_pick = pick("c.id"),
        rollout_pick = pick("l.id::text || a.id::text"),
    );
    // One statement at a time: several in one string would need the simple protocol.
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    tracing::info!(
        seconds = format!("{:.1}", timer.elapsed().as_secs_f64()),
        "marked demo commitments and spread demo lessons"
    );
    Ok(())
}
