-- Manager review: one covering index over a team's open cases answers every section's count,
-- the let-go and high-severity lists and each account manager's open cases from the index alone
-- (it replaces the narrower cases_open_team_activity_idx, which had the same keys).
create index cases_open_team_review_idx on cases (team_id, last_activity_at, number)
    include (owner_id, let_go, severity) where outcome = 'open';
drop index cases_open_team_activity_idx;

-- Missed check-ins of a team (few: the scheduler marks them, a completion clears them).
create index check_ins_team_missed_idx on check_ins (team_id, due_date)
    include (assignee_id, case_id) where status = 'missed';

-- Let-go requests waiting for a manager: a handful among thousands of open cases.
create index cases_open_team_let_go_idx on cases (team_id, last_activity_at, number)
    where outcome = 'open' and let_go = 'requested';
