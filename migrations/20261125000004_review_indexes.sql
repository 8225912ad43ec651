-- Manager review: open cases of a team, least recently active first (stuck cases are the
-- oldest of these), without walking past the team's many closed cases.
create index cases_open_team_activity_idx on cases (team_id, last_activity_at, number)
    where outcome = 'open';
-- Each account manager's check-ins in a week, whatever their status (the review's load).
create index check_ins_assignee_due_idx on check_ins (assignee_id, due_date);
