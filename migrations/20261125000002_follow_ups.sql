-- Follow-up plans and check-ins: "check in weekly, biweekly or monthly until trust is back".
-- A case has at most one active plan; a replaced plan keeps its history (ended_at).

create table follow_up_plans (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references cases (id),
    cadence text not null check (cadence in ('weekly', 'biweekly', 'monthly', 'custom')),
    every_days integer check (every_days between 1 and 365),
    first_due date not null,
    assignee_id uuid not null references users (id),
    -- Null: until the case closes; otherwise the number of check-ins.
    end_after integer check (end_after between 1 and 100),
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    ended_at timestamptz,
    constraint follow_up_plans_custom_days check ((cadence = 'custom') = (every_days is not null))
);
create unique index follow_up_plans_active_key on follow_up_plans (case_id) where ended_at is null;

create table check_ins (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references cases (id),
    plan_id uuid not null references follow_up_plans (id),
    -- The n-th check-in of its plan (1-based): with the plan, the key that makes creating
    -- check-ins idempotent however many processes try at once.
    seq integer not null check (seq >= 1),
    due_date date not null,
    assignee_id uuid not null references users (id),
    status text not null default 'scheduled'
        check (status in ('scheduled', 'done', 'missed', 'skipped')),
    completed_at timestamptz,
    channel text check (channel in ('in_person', 'phone', 'video', 'email', 'chat')),
    summary text not null default '',
    sentiment smallint check (sentiment between -2 and 2),
    next_step text not null default '',
    skip_reason text not null default '',
    created_at timestamptz not null default now(),
    constraint check_ins_plan_seq_key unique (plan_id, seq),
    constraint check_ins_done_consistent check ((status = 'done') = (completed_at is not null))
);
create index check_ins_case_idx on check_ins (case_id, due_date);
create index check_ins_open_idx on check_ins (assignee_id, due_date)
    where status in ('scheduled', 'missed');
