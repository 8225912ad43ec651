-- Adaptive follow-up plans: after `step_after` good check-ins in a row (the client's mood +1 or
-- better) the cadence steps down (weekly → every two weeks → monthly); a bad or missed one
-- steps it back up. The n-th check-in's due date is `first_due` plus (n - base_seq) steps of
-- the current cadence, so a step re-bases the plan at the next check-in. A case whose plan is
-- adaptive may close as restored only after `restored_after` good check-ins in a row.
-- Both numbers are the organisation's choice, copied onto each plan when it starts.
alter table follow_up_plans
    add column adaptive boolean not null default false,
    add column base_seq integer not null default 1 check (base_seq >= 1),
    add column good_streak integer not null default 0 check (good_streak >= 0),
    add column step_after integer not null default 2 check (step_after between 1 and 10),
    add column restored_after integer not null default 3 check (restored_after between 1 and 20),
    add constraint follow_up_plans_adaptive_ladder
        check (not adaptive or cadence in ('weekly', 'biweekly', 'monthly'));

alter table organisation
    add column adaptive_step_after integer not null default 2
        check (adaptive_step_after between 1 and 10),
    add column restored_after integer not null default 3
        check (restored_after between 1 and 20);

-- The gate facts gain the restored gate's two numbers (computed only where they are read: the
-- case page and closing a case, never the lists).
create or replace view case_gate_facts as
select c.id,
       c.what_happened <> '' as what_happened,
       c.root_cause <> '' as root_cause,
       c.our_share is not null as our_share,
       c.value_at_risk_minor is not null as value_at_risk,
       c.decision,
       (c.reparation_what <> '' or c.reparation_none_reason <> '') as reparation,
       c.let_go,
       c.conversation_count::bigint as conversations,
       c.non_email_count::bigint as non_email,
       c.action_count::bigint as actions,
       c.commitment_count::bigint as commitments,
       c.lesson_count::bigint as lessons,
       c.has_plan as follow_up_plan,
       c.sentiment_check_in_count::bigint as checkins,
       (select p.restored_after from follow_up_plans p
        where p.case_id = c.id and p.ended_at is null and p.adaptive) as restored_after,
       (select count(*) from check_ins k
        where k.case_id = c.id and k.status = 'done' and k.sentiment >= 1
          and k.due_date > coalesce(
              (select max(b.due_date) from check_ins b
               where b.case_id = c.id
                 and (b.status = 'missed' or (b.status = 'done' and b.sentiment <= 0))),
              '-infinity'::date)) as good_in_row
from cases c;
