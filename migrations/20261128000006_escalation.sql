-- The escalation clock. Any recorded work on a case moves its last_activity_at (the clock);
-- when an open case has been quiet longer than the organisation's threshold for its severity,
-- the scheduler sets escalated_at, tells the team's managers once, and the manager review
-- flags the case. The flag is "escalated_at >= last_activity_at", so the next activity clears
-- it without anyone touching it, and the next quiet spell can escalate it again.
-- A second incident on an account within 90 days of a restored case escalates at once and
-- links the two cases.
alter table cases
    add column escalated_at timestamptz,
    add column escalation_reason text check (escalation_reason in ('quiet', 'repeat')),
    add column linked_case_id uuid references cases (id);

-- The review's "Escalated" section and its count read only flagged open cases.
create index cases_open_team_escalated_idx on cases (team_id, last_activity_at, number)
    where outcome = 'open' and escalated_at >= last_activity_at;

-- The scheduler's search for cases that went quiet: open cases by how long they have been.
create index cases_open_activity_idx on cases (last_activity_at) where outcome = 'open';

alter table organisation
    add column escalate_critical_days integer not null default 2
        check (escalate_critical_days between 1 and 365),
    add column escalate_high_days integer not null default 4
        check (escalate_high_days between 1 and 365),
    add column escalate_medium_days integer not null default 7
        check (escalate_medium_days between 1 and 365),
    add column escalate_low_days integer not null default 14
        check (escalate_low_days between 1 and 365);

alter table outbox drop constraint outbox_kind_check;
alter table outbox add constraint outbox_kind_check
    check (kind in ('due', 'missed', 'digest', 'escalation'));
