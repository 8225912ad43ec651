-- What a case derives from its rows, defined once.
--
-- A case keeps facts about its rows so that lists, the review and the gates read one table: the
-- texts its search vector is made of, its first contact, its fix time, its earliest open action,
-- its mood, and the gate counts (20261126000001, 20261128000001, 20261128000002). Each fact was
-- written out in the function its triggers call, and again, in Rust, by the demo loader, for
-- which the triggers step aside (20261128000004). `case_facts` is now the one definition: the
-- functions the triggers call read from it, and so does the loader, which writes each case with
-- its facts once its rows are in (or, when it has to write the cases first, refreshes them with
-- `cases_refresh_facts` afterwards).
--
-- Texts are joined in a fixed order (conversations as they happened, lessons as they were
-- written), so the same rows always give the same search vector.

create function case_facts(case_ids uuid[])
returns table (
    id uuid,
    lessons_text text,
    conversations_text text,
    first_contact_at timestamptz,
    mood smallint[],
    fixed_at timestamptz,
    open_action_due date,
    conversation_count integer,
    non_email_count integer,
    action_count integer,
    commitment_count integer,
    lesson_count integer,
    sentiment_check_in_count integer,
    has_plan boolean
)
-- A single stable SQL query: PostgreSQL inlines it into the caller, so a caller passing one id
-- reads each table through its case index, and a caller passing a hundred thousand does the same
-- per case without a plan that could go quadratic.
language sql stable as $$
    select k.id, l.text, v.text, v.first_at, s.mood, a.fixed_at, a.open_due,
           v.n::integer, v.non_email::integer, a.n::integer, m.n::integer, l.n::integer,
           ci.n::integer, p.plan
    from unnest(case_ids) as k(id)
    -- Conversations that were not removed: the search text, the first contact, the counts.
    left join lateral (
        select string_agg(v.summary, ' ' order by v.happened_at, v.created_at, v.id) as text,
               min(v.happened_at) as first_at,
               count(*) as n,
               count(*) filter (where v.channel <> 'email') as non_email
        from conversations v
        where v.case_id = k.id and v.removed_at is null) v on true
    -- Action items that were not removed: when the last was done once all are (the fix), the
    -- earliest due date of those still open.
    left join lateral (
        select count(*) as n,
               case when count(*) > 0 and count(*) = count(a.done_at) then max(a.done_at) end
                   as fixed_at,
               min(a.due_date) filter (where a.done_at is null) as open_due
        from action_items a
        where a.case_id = k.id and a.removed_at is null) a on true
    left join lateral (
        select count(*) as n
        from commitments m
        where m.case_id = k.id and m.removed_at is null) m on true
    left join lateral (
        select string_agg(l.text, ' ' order by l.created_at, l.id) as text, count(*) as n
        from lessons l
        where l.case_id = k.id and l.removed_at is null) l on true
    -- Check-ins done with the client's mood.
    left join lateral (
        select count(*) as n
        from check_ins ci
        where ci.case_id = k.id and ci.status = 'done' and ci.sentiment is not null) ci on true
    -- The mood: the sentiments of those conversations and check-ins, oldest first.
    left join lateral (
        select coalesce(array_agg(s.sentiment order by s.at, s.created_at), '{}') as mood
        from (select v.sentiment, v.happened_at as at, v.created_at
              from conversations v
              where v.case_id = k.id and v.removed_at is null
              union all
              select ci.sentiment, ci.completed_at, ci.created_at
              from check_ins ci
              where ci.case_id = k.id and ci.status = 'done' and ci.sentiment is not null) s) s
        on true
    left join lateral (
        select exists (select 1 from follow_up_plans p
                       where p.case_id = k.id and p.ended_at is null) as plan) p on true;
$$;

-- Every fact of the cases `case_ids`, written where it changed, the search vector included
-- (through case_search_vector, 20261128000004). For a loader that wrote cases before their rows;
-- locks the cases first, as cases_refresh_gate_counts does.
create function cases_refresh_facts(case_ids uuid[]) returns void
language plpgsql as $$
begin
    if cardinality(case_ids) = 0 then
        return;
    end if;
    perform 1 from cases c join (select distinct id from unnest(case_ids) as k(id)) k on k.id = c.id
    order by c.id for no key update of c;
    update cases c set
        search = f.search,
        first_contact_at = f.first_contact_at,
        mood = f.mood,
        fixed_at = f.fixed_at,
        open_action_due = f.open_action_due,
        conversation_count = f.conversation_count,
        non_email_count = f.non_email_count,
        action_count = f.action_count,
        commitment_count = f.commitment_count,
        lesson_count = f.lesson_count,
        sentiment_check_in_count = f.sentiment_check_in_count,
        has_plan = f.has_plan
    from (select f.*, case_search_vector(x.title, x.what_happened, f.lessons_text,
                                         f.conversations_text) as search
          from case_facts(case_ids) f join cases x on x.id = f.id) f
    where c.id = f.id
      and (c.search, c.first_contact_at, c.mood, c.fixed_at, c.open_action_due,
           c.conversation_count, c.non_email_count, c.action_count, c.commitment_count,
           c.lesson_count, c.sentiment_check_in_count, c.has_plan)
          is distinct from
          (f.search, f.first_contact_at, f.mood, f.fixed_at, f.open_action_due,
           f.conversation_count, f.non_email_count, f.action_count, f.commitment_count,
           f.lesson_count, f.sentiment_check_in_count, f.has_plan);
end
$$;

-- The functions the triggers call, now reading case_facts. Their triggers are unchanged.

-- From 20261128000004: the search text of the case being written; a bulk load's own value kept.
create or replace function cases_refresh_search() returns trigger language plpgsql as $$
begin
    if bulk_loading() and new.search is not null then
        return new;
    end if;
    new.search := (select case_search_vector(new.title, new.what_happened, f.lessons_text,
                                             f.conversations_text)
                   from case_facts(array[new.id]) f);
    return new;
end
$$;

-- From 20261128000001.
create or replace function cases_mood_of(case_id uuid) returns smallint[]
language sql stable as $$
    select f.mood from case_facts(array[cases_mood_of.case_id]) f;
$$;

create or replace function cases_refresh_mood(case_ids uuid[]) returns void language sql as $$
    update cases c set mood = f.mood
    from case_facts(case_ids) f
    where c.id = f.id and c.mood is distinct from f.mood;
$$;

-- From 20261128000001: setting `search` to null makes the cases_search trigger recompute it.
create or replace function cases_refresh_conversation_facts(case_ids uuid[]) returns void
language sql as $$
    update cases c set search = null, first_contact_at = f.first_contact_at, mood = f.mood
    from case_facts(case_ids) f
    where c.id = f.id;
$$;

-- From 20261128000001.
create or replace function cases_refresh_fix(case_ids uuid[]) returns void language sql as $$
    update cases c set fixed_at = f.fixed_at, open_action_due = f.open_action_due
    from case_facts(case_ids) f
    where c.id = f.id
      and (c.fixed_at, c.open_action_due) is distinct from (f.fixed_at, f.open_action_due);
$$;

-- From 20261128000002: the cases are locked first and the counts read by a statement of their
-- own, so two transactions adding to one case cannot both write a count missing the other's row.
create or replace function cases_refresh_gate_counts(case_ids uuid[]) returns void
language plpgsql as $$
begin
    if cardinality(case_ids) = 0 then
        return;
    end if;
    perform 1 from cases c join (select distinct id from unnest(case_ids) as k(id)) k on k.id = c.id
    order by c.id for no key update of c;
    update cases c set
        conversation_count = f.conversation_count,
        non_email_count = f.non_email_count,
        action_count = f.action_count,
        commitment_count = f.commitment_count,
        lesson_count = f.lesson_count,
        sentiment_check_in_count = f.sentiment_check_in_count,
        has_plan = f.has_plan
    from case_facts(case_ids) f
    where c.id = f.id
      and (c.conversation_count, c.non_email_count, c.action_count, c.commitment_count,
           c.lesson_count, c.sentiment_check_in_count, c.has_plan)
          is distinct from
          (f.conversation_count, f.non_email_count, f.action_count, f.commitment_count,
           f.lesson_count, f.sentiment_check_in_count, f.has_plan);
end
$$;
