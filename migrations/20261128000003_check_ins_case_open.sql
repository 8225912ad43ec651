-- Check-ins know whether their case is open.
--
-- The manager review counts each account manager's check-ins due this week and missed, on open
-- cases only; asking `cases` for each check-in's outcome cost a primary-key lookup per check-in
-- (about 20 ms for a team's week at 100k cases). Like the team, the case's openness is copied
-- onto its check-ins and kept in step by triggers.

alter table check_ins add column case_open boolean not null default true;

update check_ins ci set case_open = false
from cases c where c.id = ci.case_id and c.outcome <> 'open';

-- New check-ins (and moved ones) take their case's team and openness.
create or replace function check_ins_copy_case() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return new;
    end if;
    select c.team_id, c.outcome = 'open' into new.team_id, new.case_open
    from cases c where c.id = new.case_id;
    return new;
end
$$;

-- A case that closes or reopens takes its check-ins along.
create function cases_copy_outcome() returns trigger language plpgsql as $$
begin
    update check_ins set case_open = (new.outcome = 'open')
    where case_id = new.id and case_open is distinct from (new.outcome = 'open');
    return null;
end
$$;
create trigger cases_copy_outcome after update of outcome on cases
    for each row
    when ((old.outcome = 'open') is distinct from (new.outcome = 'open'))
    execute function cases_copy_outcome();

-- The review's load: a team's check-ins on open cases by due date, and its missed ones.
create index check_ins_team_open_due_idx on check_ins (team_id, due_date)
    include (assignee_id) where case_open;
create index check_ins_team_open_missed_idx on check_ins (team_id, due_date)
    include (assignee_id, case_id) where case_open and status = 'missed';
