-- The conversation trigger's refresh matched cases with `id = any(case_ids)`, which PostgreSQL
-- planned as a scan of every case against the whole array: a bulk insert of 5,000
-- conversations took a minute. Joining the array as a table uses the primary key instead.
create or replace function cases_refresh_conversation_facts(case_ids uuid[]) returns void
language sql as $$
    -- Setting `search` to null makes the cases_search trigger recompute it.
    update cases c set search = null,
        first_contact_at = (select min(v.happened_at) from conversations v
                            where v.case_id = c.id and v.removed_at is null)
    from (select distinct id from unnest(case_ids) as k(id)) k
    where c.id = k.id;
$$;
