-- The lessons library: full-text search over every lesson, and the "applies to all clients"
-- reminders shown on new cases.

-- Each lesson's own search vector, kept by PostgreSQL itself (a case's `search` mixes a lesson
-- with its case's title and conversations; the library ranks lessons on their own words).
alter table lessons add column search tsvector
    generated always as (to_tsvector('english', text)) stored;
create index lessons_search_idx on lessons using gin (search) where removed_at is null;

-- The library's default order: newest lessons first.
create index lessons_recent_idx on lessons (created_at desc, id desc) where removed_at is null;

-- Counting a view of the library joins every live lesson to the team's cases: both sides are
-- read from these indexes alone instead of the tables (on 150k lessons and 100k cases, a
-- team's count takes ~15 ms instead of ~150 ms).
create index lessons_live_case_idx on lessons (case_id) include (applies_to_all)
    where removed_at is null;
create index cases_team_id_idx on cases (team_id, id) include (outcome, account_id, category_id);

-- The reminders: the few lessons the team marked as applying to all clients, newest first.
create index lessons_all_clients_idx on lessons (created_at desc, id desc)
    where applies_to_all and removed_at is null;
