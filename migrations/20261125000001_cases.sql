-- Repair cases: accounts, categories, cases and their stage work, the timeline.
-- Nothing on a case is ever hard-deleted: removed items carry removed_at/removed_by, and
-- case_events refuses updates and deletes.

create table categories (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(btrim(name)) between 1 and 100),
    position integer not null default 0,
    retired_at timestamptz,
    created_at timestamptz not null default now()
);
create unique index categories_name_key on categories (lower(name));
insert into categories (name, position) values
    ('Missed deadline', 1),
    ('Quality of work', 2),
    ('Communication', 3),
    ('Billing', 4),
    ('Staffing / no-show', 5),
    ('Lost or late reply', 6),
    ('Other', 7);

create table accounts (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(btrim(name)) between 1 and 200),
    team_id uuid not null references teams (id),
    manager_id uuid references users (id),
    annual_value_minor bigint not null default 0 check (annual_value_minor >= 0),
    currency text not null default 'EUR' check (currency ~ '^[A-Z]{3}$'),
    tier text not null default 'standard' check (tier in ('strategic', 'key', 'standard')),
    contact_name text not null default '',
    contact_email text not null default '',
    contact_phone text not null default '',
    notes text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
-- One organisation per database: names are unique, whatever their case.
create unique index accounts_name_key on accounts (lower(name));
create index accounts_team_name_idx on accounts (team_id, lower(name));
create index accounts_manager_idx on accounts (manager_id);

create sequence case_number_seq start with 1001;

create table cases (
    id uuid primary key default gen_random_uuid(),
    number bigint not null default nextval('case_number_seq'),
    account_id uuid not null references accounts (id),
    -- Copied from the account (and kept in step with it) so that visibility is one indexed
    -- predicate on every case query.
    team_id uuid not null references teams (id),
    owner_id uuid not null references users (id),
    created_by uuid references users (id),
    title text not null check (length(btrim(title)) between 1 and 200),
    what_happened text not null default '',
    category_id uuid not null references categories (id),
    severity text not null check (severity in ('low', 'medium', 'high', 'critical')),
    detected_by text not null check (detected_by in ('us', 'client')),
    occurred_at timestamptz not null,
    detected_at timestamptz not null,
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    value_at_risk_minor bigint check (value_at_risk_minor >= 0),
    stage text not null default 'detected' check (stage in
        ('detected', 'assessing', 'reaching_out', 'making_it_right', 'following_up', 'closed')),
    outcome text not null default 'open' check (outcome in ('open', 'restored', 'lost', 'let_go')),
    -- Assessing.
    root_cause text not null default '',
    our_share text check (our_share in ('none', 'some', 'most', 'all')),
    other_side_view text not null default '',
    relationship_value text check (relationship_value in ('low', 'medium', 'high')),
    decision text check (decision in ('repair', 'let_go')),
    -- Making it right: the reparation, or why there is none.
    reparation_what text not null default '',
    reparation_cost_minor bigint check (reparation_cost_minor >= 0),
    reparation_none_reason text not null default '',
    -- Letting go needs a manager's approval.
    let_go text not null default 'none' check (let_go in ('none', 'requested', 'approved', 'declined')),
    let_go_reason text not null default '',
    let_go_requested_by uuid references users (id),
    let_go_requested_at timestamptz,
    let_go_decided_by uuid references users (id),
    let_go_decided_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    last_activity_at timestamptz not null default now(),
    closed_at timestamptz,
    search tsvector,
    constraint cases_number_key unique (number),
    constraint cases_closed_consistent check ((stage = 'closed') = (outcome <> 'open'))
);
-- One index per sort of the case list, each ending in `number` (the list's tie-break), so a
-- page is an index range scan, never a sort of the whole team's cases. Plans on 100k cases:
-- docs/indexes.md.
create index cases_team_created_idx on cases (team_id, created_at desc, number desc);
create index cases_team_activity_idx on cases (team_id, last_activity_at desc, number desc);
create index cases_team_number_idx on cases (team_id, number desc);
create index cases_team_title_idx on cases (team_id, lower(title), number);
create index cases_team_stage_idx on cases (team_id, stage, created_at desc, number desc);
-- Closed cases are older than open ones: without this, filtering by outcome walks past every
-- recent open case first.
create index cases_team_outcome_idx on cases (team_id, outcome, created_at desc, number desc);
create index cases_owner_idx on cases (owner_id, created_at desc, number desc);
create index cases_account_idx on cases (account_id, created_at desc, number desc);
create index cases_created_idx on cases (created_at desc, number desc);
create index cases_search_idx on cases using gin (search);

create table case_events (
    id bigint generated always as identity primary key,
    case_id uuid not null references cases (id),
    actor_id uuid references users (id),
    kind text not null,
    summary text not null,
    data jsonb not null default '{}',
    created_at timestamptz not null default now()
);
create index case_events_case_idx on case_events (case_id, id);

create function case_events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the case timeline is append-only';
end
$$;
create trigger case_events_no_update before update or delete on case_events
    for each statement execute function case_events_append_only();

create table conversations (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references cases (id),
    channel text not null check (channel in ('in_person', 'phone', 'video', 'email', 'chat')),
    with_whom text not null check (length(btrim(with_whom)) between 1 and 200),
    happened_at timestamptz not null,
    summary text not null check (length(btrim(summary)) >= 1),
    sentiment smallint not null check (sentiment between -2 and 2),
    listened_fully boolean not null default false,
    validated_feelings boolean not null default false,
    took_responsibility boolean not null default false,
    asked_what_differently boolean not null default false,
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    removed_at timestamptz,
    removed_by uuid references users (id)
);
create index conversations_case_idx on conversations (case_id, happened_at);

create table action_items (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references cases (id),
    what text not null check (length(btrim(what)) between 1 and 500),
    owner_id uuid not null references users (id),
    due_date date,
    done_at timestamptz,
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    removed_at timestamptz,
    removed_by uuid references users (id)
);
create index action_items_case_idx on action_items (case_id, created_at);
-- "Overdue" cases: open action items past their due date.
create index action_items_open_due_idx on action_items (due_date, case_id)
    where done_at is null and removed_at is null;

create table commitments (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references cases (id),
    text text not null check (length(btrim(text)) between 1 and 1000),
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    removed_at timestamptz,
    removed_by uuid references users (id)
);
create index commitments_case_idx on commitments (case_id, created_at);

create table lessons (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references cases (id),
    text text not null check (length(btrim(text)) between 1 and 4000),
    applies_to_all boolean not null default false,
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    removed_at timestamptz,
    removed_by uuid references users (id)
);
create index lessons_case_idx on lessons (case_id, created_at);

-- Full-text search over a case's title, what happened, its conversations and its lessons,
-- weighted so title matches rank first.
create function cases_refresh_search() returns trigger language plpgsql as $$
begin
    new.search :=
        setweight(to_tsvector('english', coalesce(new.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(new.what_happened, '')), 'B') ||
        setweight(to_tsvector('english', coalesce((
            select string_agg(text, ' ') from lessons
            where case_id = new.id and removed_at is null), '')), 'B') ||
        setweight(to_tsvector('english', coalesce((
            select string_agg(summary, ' ') from conversations
            where case_id = new.id and removed_at is null), '')), 'C');
    return new;
end
$$;
create trigger cases_search before insert or update of title, what_happened, search on cases
    for each row execute function cases_refresh_search();

-- Conversations and lessons refresh their cases' search once per statement, so bulk loads stay
-- fast. Setting `search` to null fires the trigger above, which recomputes it.
create function cases_touch_search() returns trigger language plpgsql as $$
begin
    update cases set search = null where id in (select distinct case_id from changed);
    return null;
end
$$;
create trigger conversations_search_ins after insert on conversations
    referencing new table as changed for each statement execute function cases_touch_search();
create trigger conversations_search_upd after update on conversations
    referencing new table as changed for each statement execute function cases_touch_search();
create trigger lessons_search_ins after insert on lessons
    referencing new table as changed for each statement execute function cases_touch_search();
create trigger lessons_search_upd after update on lessons
    referencing new table as changed for each statement execute function cases_touch_search();
