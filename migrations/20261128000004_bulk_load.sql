-- Bulk loads (`mend demo`) write what cases derive from their rows themselves.
--
-- Every table whose rows a case summarises (conversations, action items, commitments, lessons,
-- follow-up plans, check-ins) has triggers that refresh the case: its search text, first
-- contact, fix time, earliest open action, mood and gate counts, and copies of the case's team
-- onto the rows. For a person's single write that is a few index lookups; for a load of a
-- million cases it is each case rewritten once per table. A loader that sets `mend.bulk_load`
-- in its transaction (`bulk_loading()`, 20261128000001) computes those values itself and writes
-- them with the rows; the triggers added since step aside then, and so do the older ones below.
-- The search text has one definition, `case_search_vector`, for the trigger and the loader.

create function case_search_vector(title text, what_happened text, lessons text,
                                   conversations text) returns tsvector
language sql immutable as $$
    select setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
           setweight(to_tsvector('english', coalesce(what_happened, '')), 'B') ||
           setweight(to_tsvector('english', coalesce(lessons, '')), 'B') ||
           setweight(to_tsvector('english', coalesce(conversations, '')), 'C');
$$;

-- From 20261125000001: the same text, through case_search_vector; a bulk load's own value kept.
create or replace function cases_refresh_search() returns trigger language plpgsql as $$
begin
    if bulk_loading() and new.search is not null then
        return new;
    end if;
    new.search := case_search_vector(
        new.title,
        new.what_happened,
        (select string_agg(text, ' ') from lessons
         where case_id = new.id and removed_at is null),
        (select string_agg(summary, ' ') from conversations
         where case_id = new.id and removed_at is null));
    return new;
end
$$;

-- From 20261125000001.
create or replace function cases_touch_search() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    update cases set search = null where id in (select distinct case_id from changed);
    return null;
end
$$;

-- From 20261126000001.
create or replace function conversations_copy_case() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return new;
    end if;
    select c.team_id, c.owner_id into new.team_id, new.owner_id from cases c where c.id = new.case_id;
    return new;
end
$$;

create or replace function conversations_inserted() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_conversation_facts(array(select distinct case_id from changed));
    return null;
end
$$;

create or replace function action_items_changed() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_fix(array(select distinct case_id from changed));
    return null;
end
$$;
