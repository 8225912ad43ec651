-- When the managers were e-mailed about a case's escalation (the escalated_at they were told
-- of), so each scheduler pass reads only escalations nobody has told yet.
alter table cases add column escalation_told_at timestamptz;
create index cases_escalation_untold_idx on cases (escalated_at)
    where outcome = 'open' and escalated_at is not null
      and escalation_told_at is distinct from escalated_at;
