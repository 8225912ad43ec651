-- The escalation clock's limits, defined once.
--
-- An open case quiet for longer than its severity's limit is escalated (20261128000006). The
-- limits are the organisation's settings, or the columns' defaults while its row is missing;
-- until now both the scheduler's query (src/db/escalation.rs) and the demo's replay of its
-- history wrote out that lookup and the severity each column is for. Both read it here.
create function escalation_limits() returns table (severity text, days integer)
language sql stable as $$
    select s.severity, s.days
    from (select coalesce(max(escalate_critical_days), 2) as critical,
                 coalesce(max(escalate_high_days), 4) as high,
                 coalesce(max(escalate_medium_days), 7) as medium,
                 coalesce(max(escalate_low_days), 14) as low
          from organisation) o
    cross join lateral (values ('critical', o.critical), ('high', o.high),
                               ('medium', o.medium), ('low', o.low)) as s(severity, days);
$$;
