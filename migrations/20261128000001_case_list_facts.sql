-- The case list's per-row extras, kept on the case so that a page of the list reads one table.
--
-- Before this, every page of 50 cases asked, per row, for the client's mood series (a union of
-- the case's conversations and done check-ins, sorted) and whether an open action item was past
-- due, which the planner answered by hashing every overdue action item of the organisation: the
-- work grew with the whole data set, not with the page. Now:
--   * `mood` holds the case's sentiments, oldest first (conversations that were not removed and
--     check-ins done with a sentiment), for the list's and the review's sparklines;
--   * `open_action_due` holds the earliest due date of its open action items (not done, not
--     removed), so "overdue" is `open_action_due < today` and the overdue filter has an index.
-- Both are kept by triggers, like the dashboard's facts, so every write path keeps them right.

alter table cases
    add column mood smallint[] not null default '{}',
    add column open_action_due date;

-- Whether this transaction is a bulk load (`mend demo`) that writes every derived value itself
-- (it sets `mend.bulk_load` to 'on' locally): the triggers that keep derived values then step
-- aside, instead of refreshing thousands of cases once per statement and table.
create function bulk_loading() returns boolean language sql stable as $$
    select coalesce(current_setting('mend.bulk_load', true), '') = 'on'
$$;

create function cases_mood_of(case_id uuid) returns smallint[] language sql stable as $$
    select coalesce(array_agg(s.sentiment order by s.at, s.created_at), '{}')
    from (select v.sentiment, v.happened_at as at, v.created_at from conversations v
          where v.case_id = cases_mood_of.case_id and v.removed_at is null
          union all
          select ci.sentiment, ci.completed_at, ci.created_at from check_ins ci
          where ci.case_id = cases_mood_of.case_id and ci.status = 'done'
            and ci.sentiment is not null) s;
$$;

create function cases_refresh_mood(case_ids uuid[]) returns void language sql as $$
    update cases c set mood = m.mood
    from (select k.id, cases_mood_of(k.id) as mood from unnest(case_ids) as k(id)) m
    where c.id = m.id and c.mood is distinct from m.mood;
$$;

-- Conversations already refresh their case's search text and first contact (see
-- 20261126000001); the same update now keeps the mood, and a changed sentiment counts too.
create or replace function cases_refresh_conversation_facts(case_ids uuid[]) returns void
language sql as $$
    -- Setting `search` to null makes the cases_search trigger recompute it. The array is joined
    -- as a table so that PostgreSQL uses the primary key (20261126000003).
    update cases c set search = null,
        first_contact_at = (select min(v.happened_at) from conversations v
                            where v.case_id = c.id and v.removed_at is null),
        mood = cases_mood_of(c.id)
    from (select distinct id from unnest(case_ids) as k(id)) k
    where c.id = k.id;
$$;

create or replace function conversations_updated() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_conversation_facts(array(
        select distinct n.case_id from after_rows n join before_rows o on o.id = n.id
        where (n.summary, n.happened_at, n.removed_at, n.sentiment) is distinct from
              (o.summary, o.happened_at, o.removed_at, o.sentiment)));
    return null;
end
$$;

-- Check-ins: a completion (or a correction of one) changes the mood.
create function check_ins_mood_inserted() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_mood(array(
        select distinct case_id from changed where status = 'done' and sentiment is not null));
    return null;
end
$$;
create trigger check_ins_mood_ins after insert on check_ins
    referencing new table as changed for each statement execute function check_ins_mood_inserted();

create function check_ins_mood_updated() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_mood(array(
        select distinct n.case_id from after_rows n join before_rows o on o.id = n.id
        where (n.status = 'done' or o.status = 'done')
          and (n.status, n.sentiment, n.completed_at, n.case_id) is distinct from
              (o.status, o.sentiment, o.completed_at, o.case_id)));
    return null;
end
$$;
create trigger check_ins_mood_upd after update on check_ins
    referencing old table as before_rows new table as after_rows
    for each statement execute function check_ins_mood_updated();

-- Action items already refresh their case's fix time; the same update keeps the earliest open
-- due date.
create or replace function cases_refresh_fix(case_ids uuid[]) returns void language sql as $$
    update cases c set fixed_at = f.fixed_at, open_action_due = f.open_action_due
    from (select k.id,
                 (select case when count(*) > 0 and count(*) = count(a.done_at)
                              then max(a.done_at) end
                  from action_items a where a.case_id = k.id and a.removed_at is null) as fixed_at,
                 (select min(a.due_date) from action_items a
                  where a.case_id = k.id and a.removed_at is null and a.done_at is null)
                     as open_action_due
          from unnest(case_ids) as k(id)) f
    where c.id = f.id
      and (c.fixed_at, c.open_action_due) is distinct from (f.fixed_at, f.open_action_due);
$$;

-- Backfill, in one pass over the cases that have either.
update cases c set mood = coalesce(m.mood, '{}'), open_action_due = d.due
from (select k.id from cases k
      where exists (select 1 from conversations v where v.case_id = k.id)
         or exists (select 1 from check_ins ci where ci.case_id = k.id)
         or exists (select 1 from action_items a where a.case_id = k.id)) todo
left join (select case_id, array_agg(sentiment order by at, created_at) as mood
           from (select case_id, sentiment, happened_at as at, created_at from conversations
                 where removed_at is null
                 union all
                 select case_id, sentiment, completed_at, created_at from check_ins
                 where status = 'done' and sentiment is not null) s
           group by case_id) m on m.case_id = todo.id
left join (select case_id, min(due_date) as due from action_items
           where removed_at is null and done_at is null group by case_id) d
       on d.case_id = todo.id
where c.id = todo.id and (m.mood is not null or d.due is not null);

-- The overdue filter: a team's cases with an open action item, by its earliest due date.
create index cases_team_action_due_idx on cases (team_id, open_action_due)
    where open_action_due is not null;
