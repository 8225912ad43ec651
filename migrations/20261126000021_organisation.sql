-- The organisation's settings, changed by admins on /admin/settings.

-- One row: `id` can only be true. Defaults are what Mend did before these were configurable.
create table organisation (
    id boolean primary key default true check (id),
    name text not null default 'Mend' check (length(btrim(name)) between 1 and 100),
    -- Preselected for new users.
    time_zone text not null default 'UTC' check (length(time_zone) between 1 and 64),
    -- Preselected on the case page's follow-up plan form.
    default_cadence text not null default 'weekly'
        check (default_cadence in ('weekly', 'biweekly', 'monthly')),
    -- Null: the server's --stuck-after-days.
    stuck_after_days integer check (stuck_after_days between 1 and 365),
    -- The first day of "this week" on My work and the review's load (the weekly dashboard stays
    -- on ISO weeks).
    week_start text not null default 'monday' check (week_start in ('monday', 'sunday')),
    updated_at timestamptz not null default now()
);
insert into organisation default values;
