-- What the stage gates look at, kept on the case and defined once.
--
-- The gates count a case's conversations, action items, commitments, lessons and check-ins.
-- Counted on every read, that was six subqueries per case: the manager review shows the next
-- gate item of up to 170 cases, which cost 4 to 8 ms a view at 100k cases. The counts are now
-- columns of the case, kept by triggers on each of those tables (so every write path, the demo
-- loader and a manual fix in psql included, keeps them right), and the view `case_gate_facts`
-- names the facts for the gate checks before a stage change, the case page, My work and the
-- review alike.

alter table cases
    add column conversation_count integer not null default 0,
    add column non_email_count integer not null default 0,
    add column action_count integer not null default 0,
    add column commitment_count integer not null default 0,
    add column lesson_count integer not null default 0,
    add column sentiment_check_in_count integer not null default 0,
    add column has_plan boolean not null default false;

-- Recounts the cases `case_ids`. The rows are locked first (as an update would lock them, so
-- inserts elsewhere that only reference a case do not wait), and the counts read by a statement
-- of their own: under READ COMMITTED that statement sees every insert committed before the lock
-- was granted, so two transactions adding to one case cannot both write a count missing the
-- other's row.
create function cases_refresh_gate_counts(case_ids uuid[]) returns void
language plpgsql as $$
begin
    if cardinality(case_ids) = 0 then
        return;
    end if;
    perform 1 from cases c join (select distinct id from unnest(case_ids) as k(id)) k on k.id = c.id
    order by c.id for no key update of c;
    update cases c set
        conversation_count = n.conversations,
        non_email_count = n.non_email,
        action_count = n.actions,
        commitment_count = n.commitments,
        lesson_count = n.lessons,
        sentiment_check_in_count = n.check_ins,
        has_plan = n.plan
    from (select k.id,
                 (select count(*) from conversations v
                  where v.case_id = k.id and v.removed_at is null) as conversations,
                 (select count(*) from conversations v
                  where v.case_id = k.id and v.removed_at is null and v.channel <> 'email')
                     as non_email,
                 (select count(*) from action_items i
                  where i.case_id = k.id and i.removed_at is null) as actions,
                 (select count(*) from commitments m
                  where m.case_id = k.id and m.removed_at is null) as commitments,
                 (select count(*) from lessons l
                  where l.case_id = k.id and l.removed_at is null) as lessons,
                 (select count(*) from check_ins ci
                  where ci.case_id = k.id and ci.status = 'done' and ci.sentiment is not null)
                     as check_ins,
                 exists (select 1 from follow_up_plans p
                         where p.case_id = k.id and p.ended_at is null) as plan
          from unnest(case_ids) as k(id)) n
    where c.id = n.id
      and (c.conversation_count, c.non_email_count, c.action_count, c.commitment_count,
           c.lesson_count, c.sentiment_check_in_count, c.has_plan)
          is distinct from
          (n.conversations::integer, n.non_email::integer, n.actions::integer,
           n.commitments::integer, n.lessons::integer, n.check_ins::integer, n.plan);
end
$$;

-- One statement trigger pair per table. Inserts recount the cases of the new rows; updates
-- recount only the cases whose rows changed in a way that counts (the trigger's argument says
-- which, over the new (n) and old (o) row), so that the scheduler scheduling check-ins or
-- marking them missed does not lock their cases (a person completing one holds its case's
-- lock first: the other order could deadlock).
create function gate_counts_inserted() returns trigger language plpgsql as $$
declare
    ids uuid[];
begin
    if bulk_loading() then
        return null;
    end if;
    -- TG_ARGV[0], if given, says which new rows count (a constant, never input).
    execute format('select array(select distinct case_id from changed where %1$s)',
                   coalesce(TG_ARGV[0], 'true'))
    into ids;
    perform cases_refresh_gate_counts(ids);
    return null;
end
$$;

create function gate_counts_updated() returns trigger language plpgsql as $$
declare
    ids uuid[];
begin
    if bulk_loading() then
        return null;
    end if;
    -- TG_ARGV[0] is a constant of the trigger definitions below, never input.
    execute format(
        'select array(select n.case_id from after_rows n join before_rows o on o.id = n.id
                      where n.case_id is distinct from o.case_id or (%1$s)
                      union
                      select o.case_id from after_rows n join before_rows o on o.id = n.id
                      where n.case_id is distinct from o.case_id)',
        TG_ARGV[0])
    into ids;
    perform cases_refresh_gate_counts(ids);
    return null;
end
$$;

create trigger conversations_gate_ins after insert on conversations
    referencing new table as changed for each statement execute function gate_counts_inserted();
create trigger conversations_gate_upd after update on conversations
    referencing old table as before_rows new table as after_rows for each statement
    execute function gate_counts_updated(
        '(n.removed_at is null) <> (o.removed_at is null) or n.channel <> o.channel');

create trigger action_items_gate_ins after insert on action_items
    referencing new table as changed for each statement execute function gate_counts_inserted();
create trigger action_items_gate_upd after update on action_items
    referencing old table as before_rows new table as after_rows for each statement
    execute function gate_counts_updated('(n.removed_at is null) <> (o.removed_at is null)');

create trigger commitments_gate_ins after insert on commitments
    referencing new table as changed for each statement execute function gate_counts_inserted();
create trigger commitments_gate_upd after update on commitments
    referencing old table as before_rows new table as after_rows for each statement
    execute function gate_counts_updated('(n.removed_at is null) <> (o.removed_at is null)');

create trigger lessons_gate_ins after insert on lessons
    referencing new table as changed for each statement execute function gate_counts_inserted();
create trigger lessons_gate_upd after update on lessons
    referencing old table as before_rows new table as after_rows for each statement
    execute function gate_counts_updated('(n.removed_at is null) <> (o.removed_at is null)');

-- Scheduled check-ins, which the scheduler adds in bulk, count for nothing.
create trigger check_ins_gate_ins after insert on check_ins
    referencing new table as changed for each statement
    execute function gate_counts_inserted('status = ''done'' and sentiment is not null');
create trigger check_ins_gate_upd after update on check_ins
    referencing old table as before_rows new table as after_rows for each statement
    execute function gate_counts_updated(
        '(n.status = ''done'' and n.sentiment is not null)
         is distinct from (o.status = ''done'' and o.sentiment is not null)');

create trigger follow_up_plans_gate_ins after insert on follow_up_plans
    referencing new table as changed for each statement execute function gate_counts_inserted();
create trigger follow_up_plans_gate_upd after update on follow_up_plans
    referencing old table as before_rows new table as after_rows for each statement
    execute function gate_counts_updated('(n.ended_at is null) <> (o.ended_at is null)');

-- Backfill: every case that has any of those rows.
select cases_refresh_gate_counts(array(
    select case_id from conversations union select case_id from action_items
    union select case_id from commitments union select case_id from lessons
    union select case_id from check_ins union select case_id from follow_up_plans));

create view case_gate_facts as
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
       c.sentiment_check_in_count::bigint as checkins
from cases c;
