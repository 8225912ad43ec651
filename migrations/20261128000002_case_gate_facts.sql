-- What the stage gates look at, per case, defined once: the gate checks before a stage change
-- and the case page (which reads it with the rest of the page in one statement) both select
-- from this view. Each count is a subquery on the case's own rows, evaluated only for the
-- cases a query asks for.
create view case_gate_facts as
select c.id,
       c.what_happened <> '' as what_happened,
       c.root_cause <> '' as root_cause,
       c.our_share is not null as our_share,
       c.value_at_risk_minor is not null as value_at_risk,
       c.decision,
       (c.reparation_what <> '' or c.reparation_none_reason <> '') as reparation,
       c.let_go,
       (select count(*) from conversations v
        where v.case_id = c.id and v.removed_at is null) as conversations,
       (select count(*) from conversations v
        where v.case_id = c.id and v.removed_at is null and v.channel <> 'email') as non_email,
       (select count(*) from action_items i
        where i.case_id = c.id and i.removed_at is null) as actions,
       (select count(*) from commitments m
        where m.case_id = c.id and m.removed_at is null) as commitments,
       (select count(*) from lessons l
        where l.case_id = c.id and l.removed_at is null) as lessons,
       exists (select 1 from follow_up_plans p
               where p.case_id = c.id and p.ended_at is null) as follow_up_plan,
       (select count(*) from check_ins k
        where k.case_id = c.id and k.status = 'done' and k.sentiment is not null) as checkins
from cases c;
