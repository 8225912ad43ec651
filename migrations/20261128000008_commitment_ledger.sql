-- The commitment ledger. Each "from now on we will …" has an owner, a scope (this client, or
-- all clients of the team or of the organisation), how it will be verified and when it is next
-- reviewed. At check-ins (or on the case page) its owner marks it kept, slipping or broken;
-- every mark is kept, the latest is its state. A broken commitment reopens the case into
-- "Making it right" (or opens a linked case when the case is closed) and tells the managers.
alter table commitments
    add column owner_id uuid references users (id),
    add column scope text not null default 'client'
        check (scope in ('client', 'team', 'organisation')),
    add column verification text not null default ''
        check (length(verification) <= 1000),
    add column review_on date,
    add column state text not null default 'open'
        check (state in ('open', 'kept', 'slipping', 'broken')),
    add column state_at timestamptz;

create table commitment_marks (
    id uuid primary key default gen_random_uuid(),
    commitment_id uuid not null references commitments (id),
    case_id uuid not null references cases (id),
    check_in_id uuid references check_ins (id),
    state text not null check (state in ('kept', 'slipping', 'broken')),
    marked_by uuid references users (id),
    marked_at timestamptz not null default now()
);
create index commitment_marks_commitment_idx on commitment_marks (commitment_id, marked_at);
-- The weekly dashboard counts a week's marks per team.
create index commitment_marks_time_idx on commitment_marks (marked_at, case_id);
-- The review lists a team's broken commitments.
create index commitments_broken_idx on commitments (state_at desc) where state = 'broken';

alter table outbox drop constraint outbox_kind_check;
alter table outbox add constraint outbox_kind_check
    check (kind in ('due', 'missed', 'digest', 'escalation', 'commitment'));
