-- The weekly dashboard's facts, kept where its queries can read them from an index alone.
--
-- Before this, each of its signals joined the weeks' conversations, action items and check-ins
-- against every case of the team to learn whose they were, which read most of the (wide) cases
-- table on every page view: 0.9 s at 100k cases. Now:
--   * a case carries when its first conversation happened and when its action items were all
--     done (its fix), kept by triggers, so the median time to first contact and to fix are read
--     from the case alone;
--   * conversations and check-ins carry their case's team (and conversations its owner), copied
--     on insert and kept in step when a case changes team or owner, so they can be counted per
--     team without touching cases;
--   * covering indexes put each signal's columns in the index (docs/indexes.md).
-- The copies are maintained by triggers so that every write path (the pages, the scheduler,
-- `mend demo`, a manual fix in psql) keeps them right.

-- Replaced below by triggers that also keep the first contact; dropped first so the backfill
-- does not recompute every case's search text.
drop trigger conversations_search_ins on conversations;
drop trigger conversations_search_upd on conversations;

alter table cases
    add column first_contact_at timestamptz,
    add column fixed_at timestamptz;

alter table conversations
    add column team_id uuid,
    add column owner_id uuid;

alter table check_ins
    add column team_id uuid;

-- Backfill.
update conversations v set team_id = c.team_id, owner_id = c.owner_id
from cases c where c.id = v.case_id;
update check_ins ci set team_id = c.team_id
from cases c where c.id = ci.case_id;
update cases c set first_contact_at = f.first_at
from (select case_id, min(happened_at) as first_at from conversations
      where removed_at is null group by case_id) f
where f.case_id = c.id;
update cases c set fixed_at = f.last_done
from (select case_id, max(done_at) as last_done from action_items
      where removed_at is null group by case_id
      having count(*) = count(done_at)) f
where f.case_id = c.id;

alter table conversations
    alter column team_id set not null,
    alter column owner_id set not null;
alter table check_ins
    alter column team_id set not null;

-- New conversations and check-ins take their case's team (and owner).
create function conversations_copy_case() returns trigger language plpgsql as $$
begin
    select c.team_id, c.owner_id into new.team_id, new.owner_id from cases c where c.id = new.case_id;
    return new;
end
$$;
create trigger conversations_copy_case before insert or update of case_id on conversations
    for each row execute function conversations_copy_case();

create function check_ins_copy_case() returns trigger language plpgsql as $$
begin
    select c.team_id into new.team_id from cases c where c.id = new.case_id;
    return new;
end
$$;
create trigger check_ins_copy_case before insert or update of case_id on check_ins
    for each row execute function check_ins_copy_case();

-- A case that changes team or owner takes its conversations and check-ins along.
create function cases_copy_down() returns trigger language plpgsql as $$
begin
    update conversations set team_id = new.team_id, owner_id = new.owner_id
    where case_id = new.id and (team_id, owner_id) is distinct from (new.team_id, new.owner_id);
    update check_ins set team_id = new.team_id
    where case_id = new.id and team_id is distinct from new.team_id;
    return null;
end
$$;
create trigger cases_copy_down after update of team_id, owner_id on cases
    for each row
    when (old.team_id is distinct from new.team_id or old.owner_id is distinct from new.owner_id)
    execute function cases_copy_down();

-- Conversations refresh their case's search text and first contact, once per statement and only
-- for cases where something that matters changed (the copies above change nothing that does).

create function cases_refresh_conversation_facts(case_ids uuid[]) returns void
language sql as $$
    -- Setting `search` to null makes the cases_search trigger recompute it.
    update cases c set search = null,
        first_contact_at = (select min(v.happened_at) from conversations v
                            where v.case_id = c.id and v.removed_at is null)
    where c.id = any(case_ids);
$$;

create function conversations_inserted() returns trigger language plpgsql as $$
begin
    perform cases_refresh_conversation_facts(array(select distinct case_id from changed));
    return null;
end
$$;
create trigger conversations_facts_ins after insert on conversations
    referencing new table as changed for each statement execute function conversations_inserted();

create function conversations_updated() returns trigger language plpgsql as $$
begin
    perform cases_refresh_conversation_facts(array(
        select distinct n.case_id from after_rows n join before_rows o on o.id = n.id
        where (n.summary, n.happened_at, n.removed_at) is distinct from
              (o.summary, o.happened_at, o.removed_at)));
    return null;
end
$$;
create trigger conversations_facts_upd after update on conversations
    referencing old table as before_rows new table as after_rows
    for each statement execute function conversations_updated();

-- Action items keep their case's fix time: when the last of its (not removed) items was done,
-- once all of them are.
create function cases_refresh_fix(case_ids uuid[]) returns void language sql as $$
    update cases c set fixed_at = f.fixed_at
    from (select k.id,
                 (select case when count(*) > 0 and count(*) = count(a.done_at)
                              then max(a.done_at) end
                  from action_items a where a.case_id = k.id and a.removed_at is null) as fixed_at
          from unnest(case_ids) as k(id)) f
    where c.id = f.id and c.fixed_at is distinct from f.fixed_at;
$$;

create function action_items_changed() returns trigger language plpgsql as $$
begin
    perform cases_refresh_fix(array(select distinct case_id from changed));
    return null;
end
$$;
create trigger action_items_fix_ins after insert on action_items
    referencing new table as changed for each statement execute function action_items_changed();
create trigger action_items_fix_upd after update on action_items
    referencing new table as changed for each statement execute function action_items_changed();

-- Covering indexes: each signal is an index-only range scan per team.
create index cases_team_opened_facts_idx on cases (team_id, created_at)
    include (owner_id, detected_by, first_contact_at, account_id);
create index cases_team_fixed_idx on cases (team_id, fixed_at)
    include (owner_id, created_at) where fixed_at is not null;
create index cases_team_closed_idx on cases (team_id, closed_at)
    include (owner_id, outcome, reparation_cost_minor, account_id) where closed_at is not null;
create index conversations_team_happened_idx on conversations (team_id, happened_at)
    include (owner_id, channel, sentiment) where removed_at is null;
create index cases_team_open_stage_idx on cases (team_id, stage)
    include (owner_id) where outcome = 'open';
create index check_ins_team_due_idx on check_ins (team_id, due_date)
    include (assignee_id, status, completed_at);
create index check_ins_team_completed_idx on check_ins (team_id, completed_at)
    include (assignee_id, sentiment) where status = 'done';

-- The span-only indexes these replace.
drop index conversations_happened_idx;
drop index action_items_done_idx;
drop index cases_closed_idx;
drop index check_ins_completed_idx;
