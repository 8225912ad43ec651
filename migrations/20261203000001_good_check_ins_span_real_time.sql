-- The restored gate's run of good check-ins must span real time: a check-in counts only when
-- it was recorded on or after its due day, and check-ins due on the same day count once.
-- Before this, next week's and next month's check-ins could be recorded today, one after
-- another, and close a case as restored within a minute. Mend now refuses to record a
-- check-in before its due day (by the assignee's calendar); this keeps any recorded early from
-- counting. A day's grace on the UTC date stands in for the assignee's calendar here (no time
-- zone is a whole day ahead of UTC), so a zone name PostgreSQL does not know cannot fail it.
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
       (select count(distinct k.due_date) from check_ins k
        where k.case_id = c.id and k.status = 'done' and k.sentiment >= 1
          and k.due_date <= (k.completed_at at time zone 'UTC')::date + 1
          and k.due_date > coalesce(
              (select max(b.due_date) from check_ins b
               where b.case_id = c.id
                 and (b.status = 'missed' or (b.status = 'done' and b.sentiment <= 0))),
              '-infinity'::date)) as good_in_row
from cases c;
