-- The schema of a database migrated from empty, as pg_dump 15 prints it
-- (--schema-only --no-owner --no-privileges), normalised by scripts/schema.sh. Do not
-- edit: change a migration, then run scripts/schema.sh.

--
-- PostgreSQL database dump
--

--
-- Name: action_items_changed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.action_items_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_fix(array(select distinct case_id from changed));
    return null;
end
$$;

--
-- Name: bulk_loading(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.bulk_loading() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    select coalesce(current_setting('mend.bulk_load', true), '') = 'on'
$$;

--
-- Name: case_events_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.case_events_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    raise exception 'the case timeline is append-only';
end
$$;

--
-- Name: case_facts(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.case_facts(case_ids uuid[]) RETURNS TABLE(id uuid, lessons_text text, conversations_text text, first_contact_at timestamp with time zone, mood smallint[], fixed_at timestamp with time zone, open_action_due date, conversation_count integer, non_email_count integer, action_count integer, commitment_count integer, lesson_count integer, sentiment_check_in_count integer, has_plan boolean)
    LANGUAGE sql STABLE
    AS $$
    select k.id, l.text, v.text, v.first_at, s.mood, a.fixed_at, a.open_due,
           v.n::integer, v.non_email::integer, a.n::integer, m.n::integer, l.n::integer,
           ci.n::integer, p.plan
    from unnest(case_ids) as k(id)
    -- Conversations that were not removed: the search text, the first contact, the counts.
    left join lateral (
        select string_agg(v.summary, ' ' order by v.happened_at, v.created_at, v.id) as text,
               min(v.happened_at) as first_at,
               count(*) as n,
               count(*) filter (where v.channel <> 'email') as non_email
        from conversations v
        where v.case_id = k.id and v.removed_at is null) v on true
    -- Action items that were not removed: when the last was done once all are (the fix), the
    -- earliest due date of those still open.
    left join lateral (
        select count(*) as n,
               case when count(*) > 0 and count(*) = count(a.done_at) then max(a.done_at) end
                   as fixed_at,
               min(a.due_date) filter (where a.done_at is null) as open_due
        from action_items a
        where a.case_id = k.id and a.removed_at is null) a on true
    left join lateral (
        select count(*) as n
        from commitments m
        where m.case_id = k.id and m.removed_at is null) m on true
    left join lateral (
        select string_agg(l.text, ' ' order by l.created_at, l.id) as text, count(*) as n
        from lessons l
        where l.case_id = k.id and l.removed_at is null) l on true
    -- Check-ins done with the client's mood.
    left join lateral (
        select count(*) as n
        from check_ins ci
        where ci.case_id = k.id and ci.status = 'done' and ci.sentiment is not null) ci on true
    -- The mood: the sentiments of those conversations and check-ins, oldest first.
    left join lateral (
        select coalesce(array_agg(s.sentiment order by s.at, s.created_at), '{}') as mood
        from (select v.sentiment, v.happened_at as at, v.created_at
              from conversations v
              where v.case_id = k.id and v.removed_at is null
              union all
              select ci.sentiment, ci.completed_at, ci.created_at
              from check_ins ci
              where ci.case_id = k.id and ci.status = 'done' and ci.sentiment is not null) s) s
        on true
    left join lateral (
        select exists (select 1 from follow_up_plans p
                       where p.case_id = k.id and p.ended_at is null) as plan) p on true;
$$;

--
-- Name: case_search_vector(text, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.case_search_vector(title text, what_happened text, lessons text, conversations text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE
    AS $$
    select setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
           setweight(to_tsvector('english', coalesce(what_happened, '')), 'B') ||
           setweight(to_tsvector('english', coalesce(lessons, '')), 'B') ||
           setweight(to_tsvector('english', coalesce(conversations, '')), 'C');
$$;

--
-- Name: cases_copy_down(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_copy_down() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    update conversations set team_id = new.team_id, owner_id = new.owner_id
    where case_id = new.id and (team_id, owner_id) is distinct from (new.team_id, new.owner_id);
    update check_ins set team_id = new.team_id
    where case_id = new.id and team_id is distinct from new.team_id;
    return null;
end
$$;

--
-- Name: cases_copy_outcome(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_copy_outcome() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    update check_ins set case_open = (new.outcome = 'open')
    where case_id = new.id and case_open is distinct from (new.outcome = 'open');
    return null;
end
$$;

--
-- Name: cases_mood_of(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_mood_of(case_id uuid) RETURNS smallint[]
    LANGUAGE sql STABLE
    AS $$
    select f.mood from case_facts(array[cases_mood_of.case_id]) f;
$$;

--
-- Name: cases_refresh_conversation_facts(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_refresh_conversation_facts(case_ids uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    update cases c set search = null, first_contact_at = f.first_contact_at, mood = f.mood
    from case_facts(case_ids) f
    where c.id = f.id;
$$;

--
-- Name: cases_refresh_facts(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_refresh_facts(case_ids uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
begin
    if cardinality(case_ids) = 0 then
        return;
    end if;
    perform 1 from cases c join (select distinct id from unnest(case_ids) as k(id)) k on k.id = c.id
    order by c.id for no key update of c;
    update cases c set
        search = f.search,
        first_contact_at = f.first_contact_at,
        mood = f.mood,
        fixed_at = f.fixed_at,
        open_action_due = f.open_action_due,
        conversation_count = f.conversation_count,
        non_email_count = f.non_email_count,
        action_count = f.action_count,
        commitment_count = f.commitment_count,
        lesson_count = f.lesson_count,
        sentiment_check_in_count = f.sentiment_check_in_count,
        has_plan = f.has_plan
    from (select f.*, case_search_vector(x.title, x.what_happened, f.lessons_text,
                                         f.conversations_text) as search
          from case_facts(case_ids) f join cases x on x.id = f.id) f
    where c.id = f.id
      and (c.search, c.first_contact_at, c.mood, c.fixed_at, c.open_action_due,
           c.conversation_count, c.non_email_count, c.action_count, c.commitment_count,
           c.lesson_count, c.sentiment_check_in_count, c.has_plan)
          is distinct from
          (f.search, f.first_contact_at, f.mood, f.fixed_at, f.open_action_due,
           f.conversation_count, f.non_email_count, f.action_count, f.commitment_count,
           f.lesson_count, f.sentiment_check_in_count, f.has_plan);
end
$$;

--
-- Name: cases_refresh_fix(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_refresh_fix(case_ids uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    update cases c set fixed_at = f.fixed_at, open_action_due = f.open_action_due
    from case_facts(case_ids) f
    where c.id = f.id
      and (c.fixed_at, c.open_action_due) is distinct from (f.fixed_at, f.open_action_due);
$$;

--
-- Name: cases_refresh_gate_counts(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_refresh_gate_counts(case_ids uuid[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
begin
    if cardinality(case_ids) = 0 then
        return;
    end if;
    perform 1 from cases c join (select distinct id from unnest(case_ids) as k(id)) k on k.id = c.id
    order by c.id for no key update of c;
    update cases c set
        conversation_count = f.conversation_count,
        non_email_count = f.non_email_count,
        action_count = f.action_count,
        commitment_count = f.commitment_count,
        lesson_count = f.lesson_count,
        sentiment_check_in_count = f.sentiment_check_in_count,
        has_plan = f.has_plan
    from case_facts(case_ids) f
    where c.id = f.id
      and (c.conversation_count, c.non_email_count, c.action_count, c.commitment_count,
           c.lesson_count, c.sentiment_check_in_count, c.has_plan)
          is distinct from
          (f.conversation_count, f.non_email_count, f.action_count, f.commitment_count,
           f.lesson_count, f.sentiment_check_in_count, f.has_plan);
end
$$;

--
-- Name: cases_refresh_mood(uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_refresh_mood(case_ids uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    update cases c set mood = f.mood
    from case_facts(case_ids) f
    where c.id = f.id and c.mood is distinct from f.mood;
$$;

--
-- Name: cases_refresh_search(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_refresh_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() and new.search is not null then
        return new;
    end if;
    new.search := (select case_search_vector(new.title, new.what_happened, f.lessons_text,
                                             f.conversations_text)
                   from case_facts(array[new.id]) f);
    return new;
end
$$;

--
-- Name: cases_touch_search(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cases_touch_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return null;
    end if;
    update cases set search = null where id in (select distinct case_id from changed);
    return null;
end
$$;

--
-- Name: check_ins_copy_case(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.check_ins_copy_case() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return new;
    end if;
    select c.team_id, c.outcome = 'open' into new.team_id, new.case_open
    from cases c where c.id = new.case_id;
    return new;
end
$$;

--
-- Name: check_ins_mood_inserted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.check_ins_mood_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_mood(array(
        select distinct case_id from changed where status = 'done' and sentiment is not null));
    return null;
end
$$;

--
-- Name: check_ins_mood_updated(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.check_ins_mood_updated() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_mood(array(
        select distinct n.case_id from after_rows n join before_rows o on o.id = n.id
        where (n.status = 'done' or o.status = 'done')
          and (n.status, n.sentiment, n.completed_at, n.case_id) is distinct from
              (o.status, o.sentiment, o.completed_at, o.case_id)));
    return null;
end
$$;

--
-- Name: conversations_copy_case(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversations_copy_case() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return new;
    end if;
    select c.team_id, c.owner_id into new.team_id, new.owner_id from cases c where c.id = new.case_id;
    return new;
end
$$;

--
-- Name: conversations_inserted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversations_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_conversation_facts(array(select distinct case_id from changed));
    return null;
end
$$;

--
-- Name: conversations_updated(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.conversations_updated() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform cases_refresh_conversation_facts(array(
        select distinct n.case_id from after_rows n join before_rows o on o.id = n.id
        where (n.summary, n.happened_at, n.removed_at, n.sentiment) is distinct from
              (o.summary, o.happened_at, o.removed_at, o.sentiment)));
    return null;
end
$$;

--
-- Name: escalation_limits(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.escalation_limits() RETURNS TABLE(severity text, days integer)
    LANGUAGE sql STABLE
    AS $$
    select s.severity, s.days
    from (select coalesce(max(escalate_critical_days), 2) as critical,
                 coalesce(max(escalate_high_days), 4) as high,
                 coalesce(max(escalate_medium_days), 7) as medium,
                 coalesce(max(escalate_low_days), 14) as low
          from organisation) o
    cross join lateral (values ('critical', o.critical), ('high', o.high),
                               ('medium', o.medium), ('low', o.low)) as s(severity, days);
$$;

--
-- Name: gate_counts_inserted(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.gate_counts_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
declare
    ids uuid[];
begin
    if bulk_loading() then
        return null;
    end if;
    -- TG_ARGV[0], if given, says which new rows count (a constant, never input).
    execute format('select array(select distinct case_id from changed where %1$s)',
                   coalesce(TG_ARGV[0], 'true'))
    into ids;
    perform cases_refresh_gate_counts(ids);
    return null;
end
$_$;

--
-- Name: gate_counts_updated(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.gate_counts_updated() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
declare
    ids uuid[];
begin
    if bulk_loading() then
        return null;
    end if;
    -- TG_ARGV[0] is a constant of the trigger definitions below, never input.
    execute format(
        'select array(select n.case_id from after_rows n join before_rows o on o.id = n.id
                      where n.case_id is distinct from o.case_id or (%1$s)
                      union
                      select o.case_id from after_rows n join before_rows o on o.id = n.id
                      where n.case_id is distinct from o.case_id)',
        TG_ARGV[0])
    into ids;
    perform cases_refresh_gate_counts(ids);
    return null;
end
$_$;

--
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    team_id uuid NOT NULL,
    manager_id uuid,
    annual_value_minor bigint DEFAULT 0 NOT NULL,
    currency text DEFAULT 'EUR'::text NOT NULL,
    tier text DEFAULT 'standard'::text NOT NULL,
    contact_name text DEFAULT ''::text NOT NULL,
    contact_email text DEFAULT ''::text NOT NULL,
    contact_phone text DEFAULT ''::text NOT NULL,
    notes text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    external_id text,
    CONSTRAINT accounts_annual_value_minor_check CHECK ((annual_value_minor >= 0)),
    CONSTRAINT accounts_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT accounts_external_id_check CHECK (((external_id IS NULL) OR ((length(btrim(external_id)) >= 1) AND (length(btrim(external_id)) <= 200)))),
    CONSTRAINT accounts_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT accounts_tier_check CHECK ((tier = ANY (ARRAY['strategic'::text, 'key'::text, 'standard'::text])))
);

--
-- Name: action_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.action_items (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    case_id uuid NOT NULL,
    what text NOT NULL,
    owner_id uuid NOT NULL,
    due_date date,
    done_at timestamp with time zone,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    removed_by uuid,
    CONSTRAINT action_items_what_check CHECK (((length(btrim(what)) >= 1) AND (length(btrim(what)) <= 500)))
);

--
-- Name: admin_audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.admin_audit (
    id bigint NOT NULL,
    actor_id uuid NOT NULL,
    action text NOT NULL,
    target_kind text NOT NULL,
    target_id uuid,
    target_label text NOT NULL,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT admin_audit_target_kind_check CHECK ((target_kind = ANY (ARRAY['user'::text, 'team'::text, 'category'::text, 'settings'::text, 'intake_source'::text])))
);

--
-- Name: admin_audit_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.admin_audit ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.admin_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    token_hash bytea NOT NULL,
    prefix text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_tokens_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: case_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.case_events (
    id bigint NOT NULL,
    case_id uuid NOT NULL,
    actor_id uuid,
    kind text NOT NULL,
    summary text NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: case_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.case_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.case_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: case_number_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.case_number_seq
    START WITH 1001
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: cases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.cases (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    number bigint DEFAULT nextval('public.case_number_seq'::regclass) NOT NULL,
    account_id uuid NOT NULL,
    team_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    created_by uuid,
    title text NOT NULL,
    what_happened text DEFAULT ''::text NOT NULL,
    category_id uuid NOT NULL,
    severity text NOT NULL,
    detected_by text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    detected_at timestamp with time zone NOT NULL,
    currency text NOT NULL,
    value_at_risk_minor bigint,
    stage text DEFAULT 'detected'::text NOT NULL,
    outcome text DEFAULT 'open'::text NOT NULL,
    root_cause text DEFAULT ''::text NOT NULL,
    our_share text,
    other_side_view text DEFAULT ''::text NOT NULL,
    relationship_value text,
    decision text,
    reparation_what text DEFAULT ''::text NOT NULL,
    reparation_cost_minor bigint,
    reparation_none_reason text DEFAULT ''::text NOT NULL,
    let_go text DEFAULT 'none'::text NOT NULL,
    let_go_reason text DEFAULT ''::text NOT NULL,
    let_go_requested_by uuid,
    let_go_requested_at timestamp with time zone,
    let_go_decided_by uuid,
    let_go_decided_at timestamp with time zone,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_activity_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    search tsvector,
    first_contact_at timestamp with time zone,
    fixed_at timestamp with time zone,
    mood smallint[] DEFAULT '{}'::smallint[] NOT NULL,
    open_action_due date,
    conversation_count integer DEFAULT 0 NOT NULL,
    non_email_count integer DEFAULT 0 NOT NULL,
    action_count integer DEFAULT 0 NOT NULL,
    commitment_count integer DEFAULT 0 NOT NULL,
    lesson_count integer DEFAULT 0 NOT NULL,
    sentiment_check_in_count integer DEFAULT 0 NOT NULL,
    has_plan boolean DEFAULT false NOT NULL,
    escalated_at timestamp with time zone,
    escalation_reason text,
    linked_case_id uuid,
    escalation_told_at timestamp with time zone,
    CONSTRAINT cases_closed_consistent CHECK (((stage = 'closed'::text) = (outcome <> 'open'::text))),
    CONSTRAINT cases_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT cases_decision_check CHECK ((decision = ANY (ARRAY['repair'::text, 'let_go'::text]))),
    CONSTRAINT cases_detected_by_check CHECK ((detected_by = ANY (ARRAY['us'::text, 'client'::text]))),
    CONSTRAINT cases_escalation_reason_check CHECK ((escalation_reason = ANY (ARRAY['quiet'::text, 'repeat'::text]))),
    CONSTRAINT cases_let_go_check CHECK ((let_go = ANY (ARRAY['none'::text, 'requested'::text, 'approved'::text, 'declined'::text]))),
    CONSTRAINT cases_our_share_check CHECK ((our_share = ANY (ARRAY['none'::text, 'some'::text, 'most'::text, 'all'::text]))),
    CONSTRAINT cases_outcome_check CHECK ((outcome = ANY (ARRAY['open'::text, 'restored'::text, 'lost'::text, 'let_go'::text]))),
    CONSTRAINT cases_relationship_value_check CHECK ((relationship_value = ANY (ARRAY['low'::text, 'medium'::text, 'high'::text]))),
    CONSTRAINT cases_reparation_cost_minor_check CHECK ((reparation_cost_minor >= 0)),
    CONSTRAINT cases_severity_check CHECK ((severity = ANY (ARRAY['low'::text, 'medium'::text, 'high'::text, 'critical'::text]))),
    CONSTRAINT cases_stage_check CHECK ((stage = ANY (ARRAY['detected'::text, 'assessing'::text, 'reaching_out'::text, 'making_it_right'::text, 'following_up'::text, 'closed'::text]))),
    CONSTRAINT cases_title_check CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 200))),
    CONSTRAINT cases_value_at_risk_minor_check CHECK ((value_at_risk_minor >= 0))
);

--
-- Name: check_ins; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.check_ins (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    case_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    seq integer NOT NULL,
    due_date date NOT NULL,
    assignee_id uuid NOT NULL,
    status text DEFAULT 'scheduled'::text NOT NULL,
    completed_at timestamp with time zone,
    channel text,
    summary text DEFAULT ''::text NOT NULL,
    sentiment smallint,
    next_step text DEFAULT ''::text NOT NULL,
    skip_reason text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    team_id uuid NOT NULL,
    case_open boolean DEFAULT true NOT NULL,
    client_words text DEFAULT ''::text NOT NULL,
    CONSTRAINT check_ins_channel_check CHECK ((channel = ANY (ARRAY['in_person'::text, 'phone'::text, 'video'::text, 'email'::text, 'chat'::text]))),
    CONSTRAINT check_ins_client_words_check CHECK ((length(client_words) <= 500)),
    CONSTRAINT check_ins_done_consistent CHECK (((status = 'done'::text) = (completed_at IS NOT NULL))),
    CONSTRAINT check_ins_sentiment_check CHECK (((sentiment >= '-2'::integer) AND (sentiment <= 2))),
    CONSTRAINT check_ins_seq_check CHECK ((seq >= 1)),
    CONSTRAINT check_ins_status_check CHECK ((status = ANY (ARRAY['scheduled'::text, 'done'::text, 'missed'::text, 'skipped'::text])))
);

--
-- Name: follow_up_plans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.follow_up_plans (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    case_id uuid NOT NULL,
    cadence text NOT NULL,
    every_days integer,
    first_due date NOT NULL,
    assignee_id uuid NOT NULL,
    end_after integer,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    adaptive boolean DEFAULT false NOT NULL,
    base_seq integer DEFAULT 1 NOT NULL,
    good_streak integer DEFAULT 0 NOT NULL,
    step_after integer DEFAULT 2 NOT NULL,
    restored_after integer DEFAULT 3 NOT NULL,
    CONSTRAINT follow_up_plans_adaptive_ladder CHECK (((NOT adaptive) OR (cadence = ANY (ARRAY['weekly'::text, 'biweekly'::text, 'monthly'::text])))),
    CONSTRAINT follow_up_plans_base_seq_check CHECK ((base_seq >= 1)),
    CONSTRAINT follow_up_plans_cadence_check CHECK ((cadence = ANY (ARRAY['weekly'::text, 'biweekly'::text, 'monthly'::text, 'custom'::text]))),
    CONSTRAINT follow_up_plans_custom_days CHECK (((cadence = 'custom'::text) = (every_days IS NOT NULL))),
    CONSTRAINT follow_up_plans_end_after_check CHECK (((end_after >= 1) AND (end_after <= 100))),
    CONSTRAINT follow_up_plans_every_days_check CHECK (((every_days >= 1) AND (every_days <= 365))),
    CONSTRAINT follow_up_plans_good_streak_check CHECK ((good_streak >= 0)),
    CONSTRAINT follow_up_plans_restored_after_check CHECK (((restored_after >= 1) AND (restored_after <= 20))),
    CONSTRAINT follow_up_plans_step_after_check CHECK (((step_after >= 1) AND (step_after <= 10)))
);

--
-- Name: case_gate_facts; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.case_gate_facts AS
 SELECT c.id,
    (c.what_happened <> ''::text) AS what_happened,
    (c.root_cause <> ''::text) AS root_cause,
    (c.our_share IS NOT NULL) AS our_share,
    (c.value_at_risk_minor IS NOT NULL) AS value_at_risk,
    c.decision,
    ((c.reparation_what <> ''::text) OR (c.reparation_none_reason <> ''::text)) AS reparation,
    c.let_go,
    (c.conversation_count)::bigint AS conversations,
    (c.non_email_count)::bigint AS non_email,
    (c.action_count)::bigint AS actions,
    (c.commitment_count)::bigint AS commitments,
    (c.lesson_count)::bigint AS lessons,
    c.has_plan AS follow_up_plan,
    (c.sentiment_check_in_count)::bigint AS checkins,
    ( SELECT p.restored_after
           FROM public.follow_up_plans p
          WHERE ((p.case_id = c.id) AND (p.ended_at IS NULL) AND p.adaptive)) AS restored_after,
    ( SELECT count(DISTINCT k.due_date) AS count
           FROM public.check_ins k
          WHERE ((k.case_id = c.id) AND (k.status = 'done'::text) AND (k.sentiment >= 1) AND (k.due_date <= (((k.completed_at AT TIME ZONE 'UTC'::text))::date + 1)) AND (k.due_date > COALESCE(( SELECT max(b.due_date) AS max
                   FROM public.check_ins b
                  WHERE ((b.case_id = c.id) AND ((b.status = 'missed'::text) OR ((b.status = 'done'::text) AND (b.sentiment <= 0))))), '-infinity'::date)))) AS good_in_row
   FROM public.cases c;

--
-- Name: categories; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.categories (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    retired_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT categories_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: commitment_marks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.commitment_marks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    commitment_id uuid NOT NULL,
    case_id uuid NOT NULL,
    check_in_id uuid,
    state text NOT NULL,
    marked_by uuid,
    marked_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT commitment_marks_state_check CHECK ((state = ANY (ARRAY['kept'::text, 'slipping'::text, 'broken'::text])))
);

--
-- Name: commitments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.commitments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    case_id uuid NOT NULL,
    text text NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    removed_by uuid,
    owner_id uuid,
    scope text DEFAULT 'client'::text NOT NULL,
    verification text DEFAULT ''::text NOT NULL,
    review_on date,
    state text DEFAULT 'open'::text NOT NULL,
    state_at timestamp with time zone,
    CONSTRAINT commitments_scope_check CHECK ((scope = ANY (ARRAY['client'::text, 'team'::text, 'organisation'::text]))),
    CONSTRAINT commitments_state_check CHECK ((state = ANY (ARRAY['open'::text, 'kept'::text, 'slipping'::text, 'broken'::text]))),
    CONSTRAINT commitments_text_check CHECK (((length(btrim(text)) >= 1) AND (length(btrim(text)) <= 1000))),
    CONSTRAINT commitments_verification_check CHECK ((length(verification) <= 1000))
);

--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    case_id uuid NOT NULL,
    channel text NOT NULL,
    with_whom text NOT NULL,
    happened_at timestamp with time zone NOT NULL,
    summary text NOT NULL,
    sentiment smallint NOT NULL,
    listened_fully boolean DEFAULT false NOT NULL,
    validated_feelings boolean DEFAULT false NOT NULL,
    took_responsibility boolean DEFAULT false NOT NULL,
    asked_what_differently boolean DEFAULT false NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    removed_by uuid,
    team_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    CONSTRAINT conversations_channel_check CHECK ((channel = ANY (ARRAY['in_person'::text, 'phone'::text, 'video'::text, 'email'::text, 'chat'::text]))),
    CONSTRAINT conversations_sentiment_check CHECK (((sentiment >= '-2'::integer) AND (sentiment <= 2))),
    CONSTRAINT conversations_summary_check CHECK ((length(btrim(summary)) >= 1)),
    CONSTRAINT conversations_with_whom_check CHECK (((length(btrim(with_whom)) >= 1) AND (length(btrim(with_whom)) <= 200)))
);

--
-- Name: intake_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.intake_events (
    source_id uuid NOT NULL,
    event_id text NOT NULL,
    case_id uuid NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT intake_events_event_id_check CHECK (((length(event_id) >= 1) AND (length(event_id) <= 200)))
);

--
-- Name: intake_sources; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.intake_sources (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    secret text NOT NULL,
    internal boolean DEFAULT false NOT NULL,
    default_owner_id uuid,
    category_id uuid,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    CONSTRAINT intake_sources_name_check CHECK ((name ~ '^[a-z0-9][a-z0-9-]{0,62}$'::text))
);

--
-- Name: lesson_rollouts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.lesson_rollouts (
    lesson_id uuid NOT NULL,
    account_id uuid NOT NULL,
    done_by uuid,
    done_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: lessons; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.lessons (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    case_id uuid NOT NULL,
    text text NOT NULL,
    applies_to_all boolean DEFAULT false NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    removed_at timestamp with time zone,
    removed_by uuid,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED,
    checklist text[] DEFAULT '{}'::text[] NOT NULL,
    reach text DEFAULT 'team'::text NOT NULL,
    CONSTRAINT lessons_checklist_check CHECK ((cardinality(checklist) <= 10)),
    CONSTRAINT lessons_reach_check CHECK ((reach = ANY (ARRAY['team'::text, 'organisation'::text]))),
    CONSTRAINT lessons_text_check CHECK (((length(btrim(text)) >= 1) AND (length(btrim(text)) <= 4000)))
);

--
-- Name: organisation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organisation (
    id boolean DEFAULT true NOT NULL,
    name text DEFAULT 'Mend'::text NOT NULL,
    time_zone text DEFAULT 'UTC'::text NOT NULL,
    default_cadence text DEFAULT 'weekly'::text NOT NULL,
    stuck_after_days integer,
    week_start text DEFAULT 'monday'::text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    adaptive_step_after integer DEFAULT 2 NOT NULL,
    restored_after integer DEFAULT 3 NOT NULL,
    escalate_critical_days integer DEFAULT 2 NOT NULL,
    escalate_high_days integer DEFAULT 4 NOT NULL,
    escalate_medium_days integer DEFAULT 7 NOT NULL,
    escalate_low_days integer DEFAULT 14 NOT NULL,
    CONSTRAINT organisation_adaptive_step_after_check CHECK (((adaptive_step_after >= 1) AND (adaptive_step_after <= 10))),
    CONSTRAINT organisation_default_cadence_check CHECK ((default_cadence = ANY (ARRAY['weekly'::text, 'biweekly'::text, 'monthly'::text]))),
    CONSTRAINT organisation_escalate_critical_days_check CHECK (((escalate_critical_days >= 1) AND (escalate_critical_days <= 365))),
    CONSTRAINT organisation_escalate_high_days_check CHECK (((escalate_high_days >= 1) AND (escalate_high_days <= 365))),
    CONSTRAINT organisation_escalate_low_days_check CHECK (((escalate_low_days >= 1) AND (escalate_low_days <= 365))),
    CONSTRAINT organisation_escalate_medium_days_check CHECK (((escalate_medium_days >= 1) AND (escalate_medium_days <= 365))),
    CONSTRAINT organisation_id_check CHECK (id),
    CONSTRAINT organisation_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100))),
    CONSTRAINT organisation_restored_after_check CHECK (((restored_after >= 1) AND (restored_after <= 20))),
    CONSTRAINT organisation_stuck_after_days_check CHECK (((stuck_after_days >= 1) AND (stuck_after_days <= 365))),
    CONSTRAINT organisation_time_zone_check CHECK (((length(time_zone) >= 1) AND (length(time_zone) <= 64))),
    CONSTRAINT organisation_week_start_check CHECK ((week_start = ANY (ARRAY['monday'::text, 'sunday'::text])))
);

--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    dedupe_key text NOT NULL,
    user_id uuid NOT NULL,
    to_address text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    send_after timestamp with time zone DEFAULT now() NOT NULL,
    locked_until timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    sent_at timestamp with time zone,
    CONSTRAINT outbox_kind_check CHECK ((kind = ANY (ARRAY['due'::text, 'missed'::text, 'digest'::text, 'escalation'::text, 'commitment'::text])))
);

--
-- Name: password_links; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.password_links (
    token_hash bytea NOT NULL,
    user_id uuid NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT password_links_token_hash_check CHECK ((length(token_hash) = 32))
);

--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id text NOT NULL,
    data jsonb NOT NULL,
    expiry_date timestamp with time zone NOT NULL
);

--
-- Name: sign_in_failures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sign_in_failures (
    id bigint NOT NULL,
    email text NOT NULL,
    client_ip inet,
    failed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: sign_in_failures_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.sign_in_failures ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sign_in_failures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: teams; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.teams (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT teams_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    team_id uuid,
    password_hash text NOT NULL,
    time_zone text DEFAULT 'UTC'::text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    remind_due boolean DEFAULT true NOT NULL,
    remind_missed boolean DEFAULT true NOT NULL,
    remind_digest boolean DEFAULT true NOT NULL,
    calendar_secret text,
    CONSTRAINT users_email_check CHECK ((POSITION(('@'::text) IN (email)) > 1)),
    CONSTRAINT users_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['account_manager'::text, 'manager'::text, 'admin'::text])))
);

--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);

--
-- Name: action_items action_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_items
    ADD CONSTRAINT action_items_pkey PRIMARY KEY (id);

--
-- Name: admin_audit admin_audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_audit
    ADD CONSTRAINT admin_audit_pkey PRIMARY KEY (id);

--
-- Name: api_tokens api_tokens_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_hash_key UNIQUE (token_hash);

--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

--
-- Name: case_events case_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.case_events
    ADD CONSTRAINT case_events_pkey PRIMARY KEY (id);

--
-- Name: cases cases_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_number_key UNIQUE (number);

--
-- Name: cases cases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_pkey PRIMARY KEY (id);

--
-- Name: categories categories_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.categories
    ADD CONSTRAINT categories_pkey PRIMARY KEY (id);

--
-- Name: check_ins check_ins_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.check_ins
    ADD CONSTRAINT check_ins_pkey PRIMARY KEY (id);

--
-- Name: check_ins check_ins_plan_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.check_ins
    ADD CONSTRAINT check_ins_plan_seq_key UNIQUE (plan_id, seq);

--
-- Name: commitment_marks commitment_marks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitment_marks
    ADD CONSTRAINT commitment_marks_pkey PRIMARY KEY (id);

--
-- Name: commitments commitments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitments
    ADD CONSTRAINT commitments_pkey PRIMARY KEY (id);

--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);

--
-- Name: follow_up_plans follow_up_plans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_up_plans
    ADD CONSTRAINT follow_up_plans_pkey PRIMARY KEY (id);

--
-- Name: intake_events intake_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_events
    ADD CONSTRAINT intake_events_pkey PRIMARY KEY (source_id, event_id);

--
-- Name: intake_sources intake_sources_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_sources
    ADD CONSTRAINT intake_sources_name_key UNIQUE (name);

--
-- Name: intake_sources intake_sources_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_sources
    ADD CONSTRAINT intake_sources_pkey PRIMARY KEY (id);

--
-- Name: lesson_rollouts lesson_rollouts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lesson_rollouts
    ADD CONSTRAINT lesson_rollouts_pkey PRIMARY KEY (lesson_id, account_id);

--
-- Name: lessons lessons_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lessons
    ADD CONSTRAINT lessons_pkey PRIMARY KEY (id);

--
-- Name: organisation organisation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organisation
    ADD CONSTRAINT organisation_pkey PRIMARY KEY (id);

--
-- Name: outbox outbox_dedupe_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_dedupe_key UNIQUE (dedupe_key);

--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);

--
-- Name: password_links password_links_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_links
    ADD CONSTRAINT password_links_pkey PRIMARY KEY (token_hash);

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

--
-- Name: sign_in_failures sign_in_failures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sign_in_failures
    ADD CONSTRAINT sign_in_failures_pkey PRIMARY KEY (id);

--
-- Name: teams teams_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teams
    ADD CONSTRAINT teams_pkey PRIMARY KEY (id);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: accounts_external_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX accounts_external_id_key ON public.accounts USING btree (external_id) WHERE (external_id IS NOT NULL);

--
-- Name: accounts_manager_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX accounts_manager_idx ON public.accounts USING btree (manager_id);

--
-- Name: accounts_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX accounts_name_key ON public.accounts USING btree (lower(name));

--
-- Name: accounts_team_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX accounts_team_name_idx ON public.accounts USING btree (team_id, lower(name));

--
-- Name: action_items_case_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_items_case_idx ON public.action_items USING btree (case_id, created_at);

--
-- Name: action_items_open_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_items_open_due_idx ON public.action_items USING btree (due_date, case_id) WHERE ((done_at IS NULL) AND (removed_at IS NULL));

--
-- Name: action_items_owner_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX action_items_owner_open_idx ON public.action_items USING btree (owner_id, due_date) INCLUDE (case_id) WHERE ((done_at IS NULL) AND (removed_at IS NULL));

--
-- Name: admin_audit_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX admin_audit_at_idx ON public.admin_audit USING btree (at DESC, id DESC);

--
-- Name: api_tokens_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_tokens_user_idx ON public.api_tokens USING btree (user_id, created_at DESC);

--
-- Name: case_events_case_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX case_events_case_idx ON public.case_events USING btree (case_id, id);

--
-- Name: cases_account_category_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_account_category_idx ON public.cases USING btree (account_id, category_id, created_at);

--
-- Name: cases_account_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_account_idx ON public.cases USING btree (account_id, created_at DESC, number DESC);

--
-- Name: cases_account_restored_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_account_restored_idx ON public.cases USING btree (account_id, closed_at DESC) WHERE (outcome = 'restored'::text);

--
-- Name: cases_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_created_idx ON public.cases USING btree (created_at DESC, number DESC);

--
-- Name: cases_escalation_untold_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_escalation_untold_idx ON public.cases USING btree (escalated_at) WHERE ((outcome = 'open'::text) AND (escalated_at IS NOT NULL) AND (escalation_told_at IS DISTINCT FROM escalated_at));

--
-- Name: cases_open_activity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_open_activity_idx ON public.cases USING btree (last_activity_at) WHERE (outcome = 'open'::text);

--
-- Name: cases_open_team_escalated_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_open_team_escalated_idx ON public.cases USING btree (team_id, last_activity_at, number) WHERE ((outcome = 'open'::text) AND (escalated_at >= last_activity_at));

--
-- Name: cases_open_team_let_go_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_open_team_let_go_idx ON public.cases USING btree (team_id, last_activity_at, number) WHERE ((outcome = 'open'::text) AND (let_go = 'requested'::text));

--
-- Name: cases_open_team_review_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_open_team_review_idx ON public.cases USING btree (team_id, last_activity_at, number) INCLUDE (owner_id, let_go, severity) WHERE (outcome = 'open'::text);

--
-- Name: cases_owner_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_owner_idx ON public.cases USING btree (owner_id, created_at DESC, number DESC);

--
-- Name: cases_owner_open_stage_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_owner_open_stage_idx ON public.cases USING btree (owner_id, stage, created_at, number) INCLUDE (team_id) WHERE (outcome = 'open'::text);

--
-- Name: cases_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_search_idx ON public.cases USING gin (search);

--
-- Name: cases_team_action_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_action_due_idx ON public.cases USING btree (team_id, open_action_due) WHERE (open_action_due IS NOT NULL);

--
-- Name: cases_team_activity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_activity_idx ON public.cases USING btree (team_id, last_activity_at DESC, number DESC);

--
-- Name: cases_team_closed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_closed_idx ON public.cases USING btree (team_id, closed_at) INCLUDE (owner_id, outcome, reparation_cost_minor, account_id) WHERE (closed_at IS NOT NULL);

--
-- Name: cases_team_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_created_idx ON public.cases USING btree (team_id, created_at DESC, number DESC);

--
-- Name: cases_team_fixed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_fixed_idx ON public.cases USING btree (team_id, fixed_at) INCLUDE (owner_id, created_at) WHERE (fixed_at IS NOT NULL);

--
-- Name: cases_team_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_id_idx ON public.cases USING btree (team_id, id) INCLUDE (outcome, account_id, category_id);

--
-- Name: cases_team_number_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_number_idx ON public.cases USING btree (team_id, number DESC);

--
-- Name: cases_team_open_stage_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_open_stage_idx ON public.cases USING btree (team_id, stage) INCLUDE (owner_id) WHERE (outcome = 'open'::text);

--
-- Name: cases_team_opened_facts_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_opened_facts_idx ON public.cases USING btree (team_id, created_at) INCLUDE (owner_id, detected_by, first_contact_at, account_id);

--
-- Name: cases_team_outcome_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_outcome_idx ON public.cases USING btree (team_id, outcome, created_at DESC, number DESC);

--
-- Name: cases_team_stage_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_stage_idx ON public.cases USING btree (team_id, stage, created_at DESC, number DESC);

--
-- Name: cases_team_title_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX cases_team_title_idx ON public.cases USING btree (team_id, lower(title), number);

--
-- Name: categories_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX categories_name_key ON public.categories USING btree (lower(name));

--
-- Name: check_ins_assignee_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_assignee_due_idx ON public.check_ins USING btree (assignee_id, due_date);

--
-- Name: check_ins_case_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_case_idx ON public.check_ins USING btree (case_id, due_date);

--
-- Name: check_ins_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_due_idx ON public.check_ins USING btree (due_date);

--
-- Name: check_ins_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_open_idx ON public.check_ins USING btree (assignee_id, due_date) WHERE (status = ANY (ARRAY['scheduled'::text, 'missed'::text]));

--
-- Name: check_ins_team_completed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_team_completed_idx ON public.check_ins USING btree (team_id, completed_at) INCLUDE (assignee_id, sentiment) WHERE (status = 'done'::text);

--
-- Name: check_ins_team_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_team_due_idx ON public.check_ins USING btree (team_id, due_date) INCLUDE (assignee_id, status, completed_at);

--
-- Name: check_ins_team_missed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_team_missed_idx ON public.check_ins USING btree (team_id, due_date) INCLUDE (assignee_id, case_id) WHERE (status = 'missed'::text);

--
-- Name: check_ins_team_open_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_team_open_due_idx ON public.check_ins USING btree (team_id, due_date) INCLUDE (assignee_id) WHERE case_open;

--
-- Name: check_ins_team_open_missed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX check_ins_team_open_missed_idx ON public.check_ins USING btree (team_id, due_date) INCLUDE (assignee_id, case_id) WHERE (case_open AND (status = 'missed'::text));

--
-- Name: commitment_marks_commitment_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX commitment_marks_commitment_idx ON public.commitment_marks USING btree (commitment_id, marked_at);

--
-- Name: commitment_marks_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX commitment_marks_time_idx ON public.commitment_marks USING btree (marked_at, case_id);

--
-- Name: commitments_case_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX commitments_case_idx ON public.commitments USING btree (case_id, created_at);

--
-- Name: commitments_in_trouble_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX commitments_in_trouble_idx ON public.commitments USING btree (state_at DESC) WHERE (state = ANY (ARRAY['broken'::text, 'slipping'::text]));

--
-- Name: conversations_case_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_case_idx ON public.conversations USING btree (case_id, happened_at);

--
-- Name: conversations_team_happened_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX conversations_team_happened_idx ON public.conversations USING btree (team_id, happened_at) INCLUDE (owner_id, channel, sentiment) WHERE (removed_at IS NULL);

--
-- Name: follow_up_plans_active_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX follow_up_plans_active_key ON public.follow_up_plans USING btree (case_id) WHERE (ended_at IS NULL);

--
-- Name: lesson_rollouts_account_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lesson_rollouts_account_idx ON public.lesson_rollouts USING btree (account_id, done_at);

--
-- Name: lessons_all_clients_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lessons_all_clients_idx ON public.lessons USING btree (created_at DESC, id DESC) WHERE (applies_to_all AND (removed_at IS NULL));

--
-- Name: lessons_case_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lessons_case_idx ON public.lessons USING btree (case_id, created_at);

--
-- Name: lessons_checklist_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lessons_checklist_idx ON public.lessons USING btree (created_at) WHERE (applies_to_all AND (removed_at IS NULL) AND (cardinality(checklist) > 0));

--
-- Name: lessons_live_case_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lessons_live_case_idx ON public.lessons USING btree (case_id) INCLUDE (applies_to_all) WHERE (removed_at IS NULL);

--
-- Name: lessons_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lessons_recent_idx ON public.lessons USING btree (created_at DESC, id DESC) WHERE (removed_at IS NULL);

--
-- Name: lessons_search_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX lessons_search_idx ON public.lessons USING gin (search) WHERE (removed_at IS NULL);

--
-- Name: outbox_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_created_idx ON public.outbox USING btree (created_at DESC);

--
-- Name: outbox_pending_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_pending_idx ON public.outbox USING btree (send_after) WHERE (sent_at IS NULL);

--
-- Name: password_links_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX password_links_user_idx ON public.password_links USING btree (user_id);

--
-- Name: sessions_expiry_date_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_expiry_date_idx ON public.sessions USING btree (expiry_date);

--
-- Name: sessions_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user_idx ON public.sessions USING btree ((((data -> 'axum-login.data'::text) ->> 'user_id'::text)));

--
-- Name: sign_in_failures_email_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sign_in_failures_email_idx ON public.sign_in_failures USING btree (lower(email), failed_at);

--
-- Name: sign_in_failures_ip_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sign_in_failures_ip_idx ON public.sign_in_failures USING btree (client_ip, failed_at);

--
-- Name: teams_name_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX teams_name_key ON public.teams USING btree (lower(name));

--
-- Name: users_calendar_secret_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_calendar_secret_key ON public.users USING btree (calendar_secret) WHERE (calendar_secret IS NOT NULL);

--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));

--
-- Name: users_team_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_team_id_idx ON public.users USING btree (team_id);

--
-- Name: action_items action_items_fix_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER action_items_fix_ins AFTER INSERT ON public.action_items REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.action_items_changed();

--
-- Name: action_items action_items_fix_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER action_items_fix_upd AFTER UPDATE ON public.action_items REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.action_items_changed();

--
-- Name: action_items action_items_gate_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER action_items_gate_ins AFTER INSERT ON public.action_items REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_inserted();

--
-- Name: action_items action_items_gate_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER action_items_gate_upd AFTER UPDATE ON public.action_items REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_updated('(n.removed_at is null) <> (o.removed_at is null)');

--
-- Name: case_events case_events_no_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER case_events_no_update BEFORE DELETE OR UPDATE ON public.case_events FOR EACH STATEMENT EXECUTE FUNCTION public.case_events_append_only();

--
-- Name: cases cases_copy_down; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER cases_copy_down AFTER UPDATE OF team_id, owner_id ON public.cases FOR EACH ROW WHEN (((old.team_id IS DISTINCT FROM new.team_id) OR (old.owner_id IS DISTINCT FROM new.owner_id))) EXECUTE FUNCTION public.cases_copy_down();

--
-- Name: cases cases_copy_outcome; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER cases_copy_outcome AFTER UPDATE OF outcome ON public.cases FOR EACH ROW WHEN (((old.outcome = 'open'::text) IS DISTINCT FROM (new.outcome = 'open'::text))) EXECUTE FUNCTION public.cases_copy_outcome();

--
-- Name: cases cases_search; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER cases_search BEFORE INSERT OR UPDATE OF title, what_happened, search ON public.cases FOR EACH ROW EXECUTE FUNCTION public.cases_refresh_search();

--
-- Name: check_ins check_ins_copy_case; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER check_ins_copy_case BEFORE INSERT OR UPDATE OF case_id ON public.check_ins FOR EACH ROW EXECUTE FUNCTION public.check_ins_copy_case();

--
-- Name: check_ins check_ins_gate_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER check_ins_gate_ins AFTER INSERT ON public.check_ins REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_inserted('status = ''done'' and sentiment is not null');

--
-- Name: check_ins check_ins_gate_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER check_ins_gate_upd AFTER UPDATE ON public.check_ins REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_updated('(n.status = ''done'' and n.sentiment is not null)
         is distinct from (o.status = ''done'' and o.sentiment is not null)');

--
-- Name: check_ins check_ins_mood_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER check_ins_mood_ins AFTER INSERT ON public.check_ins REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.check_ins_mood_inserted();

--
-- Name: check_ins check_ins_mood_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER check_ins_mood_upd AFTER UPDATE ON public.check_ins REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.check_ins_mood_updated();

--
-- Name: commitments commitments_gate_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER commitments_gate_ins AFTER INSERT ON public.commitments REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_inserted();

--
-- Name: commitments commitments_gate_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER commitments_gate_upd AFTER UPDATE ON public.commitments REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_updated('(n.removed_at is null) <> (o.removed_at is null)');

--
-- Name: conversations conversations_copy_case; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_copy_case BEFORE INSERT OR UPDATE OF case_id ON public.conversations FOR EACH ROW EXECUTE FUNCTION public.conversations_copy_case();

--
-- Name: conversations conversations_facts_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_facts_ins AFTER INSERT ON public.conversations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.conversations_inserted();

--
-- Name: conversations conversations_facts_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_facts_upd AFTER UPDATE ON public.conversations REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.conversations_updated();

--
-- Name: conversations conversations_gate_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_gate_ins AFTER INSERT ON public.conversations REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_inserted();

--
-- Name: conversations conversations_gate_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER conversations_gate_upd AFTER UPDATE ON public.conversations REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_updated('(n.removed_at is null) <> (o.removed_at is null) or n.channel <> o.channel');

--
-- Name: follow_up_plans follow_up_plans_gate_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_up_plans_gate_ins AFTER INSERT ON public.follow_up_plans REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_inserted();

--
-- Name: follow_up_plans follow_up_plans_gate_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER follow_up_plans_gate_upd AFTER UPDATE ON public.follow_up_plans REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_updated('(n.ended_at is null) <> (o.ended_at is null)');

--
-- Name: lessons lessons_gate_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER lessons_gate_ins AFTER INSERT ON public.lessons REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_inserted();

--
-- Name: lessons lessons_gate_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER lessons_gate_upd AFTER UPDATE ON public.lessons REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION public.gate_counts_updated('(n.removed_at is null) <> (o.removed_at is null)');

--
-- Name: lessons lessons_search_ins; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER lessons_search_ins AFTER INSERT ON public.lessons REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.cases_touch_search();

--
-- Name: lessons lessons_search_upd; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER lessons_search_upd AFTER UPDATE ON public.lessons REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.cases_touch_search();

--
-- Name: accounts accounts_manager_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_manager_id_fkey FOREIGN KEY (manager_id) REFERENCES public.users(id);

--
-- Name: accounts accounts_team_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_team_id_fkey FOREIGN KEY (team_id) REFERENCES public.teams(id);

--
-- Name: action_items action_items_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_items
    ADD CONSTRAINT action_items_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: action_items action_items_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_items
    ADD CONSTRAINT action_items_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: action_items action_items_owner_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_items
    ADD CONSTRAINT action_items_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id);

--
-- Name: action_items action_items_removed_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.action_items
    ADD CONSTRAINT action_items_removed_by_fkey FOREIGN KEY (removed_by) REFERENCES public.users(id);

--
-- Name: admin_audit admin_audit_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admin_audit
    ADD CONSTRAINT admin_audit_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id);

--
-- Name: api_tokens api_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: case_events case_events_actor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.case_events
    ADD CONSTRAINT case_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.users(id);

--
-- Name: case_events case_events_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.case_events
    ADD CONSTRAINT case_events_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: cases cases_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id);

--
-- Name: cases cases_category_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_category_id_fkey FOREIGN KEY (category_id) REFERENCES public.categories(id);

--
-- Name: cases cases_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: cases cases_let_go_decided_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_let_go_decided_by_fkey FOREIGN KEY (let_go_decided_by) REFERENCES public.users(id);

--
-- Name: cases cases_let_go_requested_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_let_go_requested_by_fkey FOREIGN KEY (let_go_requested_by) REFERENCES public.users(id);

--
-- Name: cases cases_linked_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_linked_case_id_fkey FOREIGN KEY (linked_case_id) REFERENCES public.cases(id);

--
-- Name: cases cases_owner_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id);

--
-- Name: cases cases_team_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_team_id_fkey FOREIGN KEY (team_id) REFERENCES public.teams(id);

--
-- Name: check_ins check_ins_assignee_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.check_ins
    ADD CONSTRAINT check_ins_assignee_id_fkey FOREIGN KEY (assignee_id) REFERENCES public.users(id);

--
-- Name: check_ins check_ins_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.check_ins
    ADD CONSTRAINT check_ins_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: check_ins check_ins_plan_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.check_ins
    ADD CONSTRAINT check_ins_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES public.follow_up_plans(id);

--
-- Name: commitment_marks commitment_marks_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitment_marks
    ADD CONSTRAINT commitment_marks_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: commitment_marks commitment_marks_check_in_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitment_marks
    ADD CONSTRAINT commitment_marks_check_in_id_fkey FOREIGN KEY (check_in_id) REFERENCES public.check_ins(id);

--
-- Name: commitment_marks commitment_marks_commitment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitment_marks
    ADD CONSTRAINT commitment_marks_commitment_id_fkey FOREIGN KEY (commitment_id) REFERENCES public.commitments(id);

--
-- Name: commitment_marks commitment_marks_marked_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitment_marks
    ADD CONSTRAINT commitment_marks_marked_by_fkey FOREIGN KEY (marked_by) REFERENCES public.users(id);

--
-- Name: commitments commitments_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitments
    ADD CONSTRAINT commitments_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: commitments commitments_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitments
    ADD CONSTRAINT commitments_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: commitments commitments_owner_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitments
    ADD CONSTRAINT commitments_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id);

--
-- Name: commitments commitments_removed_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.commitments
    ADD CONSTRAINT commitments_removed_by_fkey FOREIGN KEY (removed_by) REFERENCES public.users(id);

--
-- Name: conversations conversations_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: conversations conversations_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: conversations conversations_removed_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_removed_by_fkey FOREIGN KEY (removed_by) REFERENCES public.users(id);

--
-- Name: follow_up_plans follow_up_plans_assignee_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_up_plans
    ADD CONSTRAINT follow_up_plans_assignee_id_fkey FOREIGN KEY (assignee_id) REFERENCES public.users(id);

--
-- Name: follow_up_plans follow_up_plans_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_up_plans
    ADD CONSTRAINT follow_up_plans_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: follow_up_plans follow_up_plans_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.follow_up_plans
    ADD CONSTRAINT follow_up_plans_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: intake_events intake_events_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_events
    ADD CONSTRAINT intake_events_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: intake_events intake_events_source_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_events
    ADD CONSTRAINT intake_events_source_id_fkey FOREIGN KEY (source_id) REFERENCES public.intake_sources(id);

--
-- Name: intake_sources intake_sources_category_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_sources
    ADD CONSTRAINT intake_sources_category_id_fkey FOREIGN KEY (category_id) REFERENCES public.categories(id);

--
-- Name: intake_sources intake_sources_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_sources
    ADD CONSTRAINT intake_sources_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: intake_sources intake_sources_default_owner_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.intake_sources
    ADD CONSTRAINT intake_sources_default_owner_id_fkey FOREIGN KEY (default_owner_id) REFERENCES public.users(id);

--
-- Name: lesson_rollouts lesson_rollouts_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lesson_rollouts
    ADD CONSTRAINT lesson_rollouts_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id);

--
-- Name: lesson_rollouts lesson_rollouts_done_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lesson_rollouts
    ADD CONSTRAINT lesson_rollouts_done_by_fkey FOREIGN KEY (done_by) REFERENCES public.users(id);

--
-- Name: lesson_rollouts lesson_rollouts_lesson_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lesson_rollouts
    ADD CONSTRAINT lesson_rollouts_lesson_id_fkey FOREIGN KEY (lesson_id) REFERENCES public.lessons(id);

--
-- Name: lessons lessons_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lessons
    ADD CONSTRAINT lessons_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);

--
-- Name: lessons lessons_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lessons
    ADD CONSTRAINT lessons_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: lessons lessons_removed_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lessons
    ADD CONSTRAINT lessons_removed_by_fkey FOREIGN KEY (removed_by) REFERENCES public.users(id);

--
-- Name: outbox outbox_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: password_links password_links_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_links
    ADD CONSTRAINT password_links_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

--
-- Name: password_links password_links_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_links
    ADD CONSTRAINT password_links_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: users users_team_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_team_id_fkey FOREIGN KEY (team_id) REFERENCES public.teams(id);

--
-- PostgreSQL database dump complete
--
