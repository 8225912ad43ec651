-- My work at scale: an account manager with thousands of open cases, action items and
-- check-ins. Each section of the page reads a short, ordered range of one of these.

-- Open cases by owner and stage, oldest first; with the team for the visibility check, so the
-- count per stage is an index-only scan.
create index cases_owner_open_stage_idx on cases (owner_id, stage, created_at, number)
    include (team_id) where outcome = 'open';

-- Open action items by owner, soonest first.
create index action_items_owner_open_idx on action_items (owner_id, due_date)
    include (case_id) where done_at is null and removed_at is null;
