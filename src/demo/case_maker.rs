//! One case and everything on it, written stage by stage as the people working it would have:
//! the incident and how far the case got and when (here), then the work on it ([`working`]: the
//! assessment, the conversations, making it right, the stage moves, the lessons and the close),
//! and its follow-up plan ([`super::follow_up`]), at the pace of a team that works its cases
//! ([`pace`]). Each part draws from the seeded generator in a fixed order, so the same seed makes
//! the same case.

mod pace;
mod working;

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use uuid::Uuid;

use super::follow_up::{Clock, FollowUp, FollowUpCase, Slot, place_follow_up};
use super::generate::{
    CaseSpec, Category, DAY, HISTORY_DAYS, HOUR, MINUTE, Plan, Rules, Staff, pick, uuid, weighted,
};
use super::rows::{CaseRow, Dataset, EventRow, event};
use super::words::{
    CategoryText, Details, FOUND_BY_CLIENT, FOUND_BY_US, IMPACTS, TEAMS, capitalised,
};
use crate::domain::stage::{Outcome, Stage};
use pace::{Pace, Quiet};
use working::{Assessment, MoodBefore, Reparation};

/// Writes one case and everything on it into the dataset.
pub(super) struct CaseMaker<'a> {
    rng: &'a mut StdRng,
    now: DateTime<Utc>,
    categories: &'a [Category],
    staff: &'a [Staff],
    data: &'a mut Dataset,
    pace: Pace,
}

/// Typical time a case spends in each stage before it moves on, in hours (detected to
/// following up).
const STAGE_HOURS: [(i64, i64); 5] = [(1, 72), (12, 120), (24, 240), (72, 480), (336, 1440)];

/// The incident as it was logged: whose it is, what happened, when, who noticed, how bad.
struct Incident {
    id: Uuid,
    account_id: Uuid,
    /// Index into `TEAMS`.
    team: usize,
    /// The account's manager, who owns the case.
    owner: Uuid,
    tier: &'static str,
    annual_value_minor: i64,
    contact_name: String,
    category_id: Uuid,
    text: &'static CategoryText,
    severity: &'static str,
    /// From 0 (the oldest cases) to 1 (today's): the team gets better with Mend.
    recency: f64,
    by_us: bool,
    occurred: DateTime<Utc>,
    detected: DateTime<Utc>,
    created: DateTime<Utc>,
    details: Details,
    title: String,
    what_happened: String,
}

/// How far a case got and when: its stage moves, the let-go request, the close, and the
/// follow-up plan placed in that time.
struct Journey {
    plan: Plan,
    outcome: Outcome,
    /// The last stage the case was in.
    reached: Stage,
    /// `reached` as an index (0: Detected … 4: Following up).
    r: usize,
    let_go_requested: bool,
    created: DateTime<Utc>,
    /// Each stage move, then the let-go request, then the close.
    moments: Vec<DateTime<Utc>>,
    follow_up: Option<FollowUp>,
    let_go_requested_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    /// When the case closed, or now.
    end: DateTime<Utc>,
}

impl Journey {
    /// When the case entered stage `i`.
    fn stage_at(&self, i: usize) -> DateTime<Utc> {
        if i == 0 {
            self.created
        } else {
            self.moments[i - 1]
        }
    }

    /// When the case left stage `i` (or now, or when it closed).
    fn stage_end(&self, i: usize) -> DateTime<Utc> {
        if i < self.r {
            self.moments[i]
        } else {
            self.let_go_requested_at.unwrap_or(self.end)
        }
    }

    /// The latest a row of stage `i` can have been written: just before the case moved on.
    fn stage_last_minute(&self, i: usize) -> DateTime<Utc> {
        self.stage_end(i) - TimeDelta::seconds(MINUTE)
    }
}

impl<'a> CaseMaker<'a> {
    pub(super) fn new(
        rng: &'a mut StdRng,
        now: DateTime<Utc>,
        rules: Rules,
        categories: &'a [Category],
        staff: &'a [Staff],
        data: &'a mut Dataset,
    ) -> CaseMaker<'a> {
        let pace = Pace::new(now, rules, &data.accounts);
        CaseMaker {
            rng,
            now,
            categories,
            staff,
            data,
            pace,
        }
    }

    /// Makes the case of `spec` that ends up as `plan`, with its rows and timeline.
    pub(super) fn make(&mut self, spec: CaseSpec, plan: Plan) {
        let spec = self.steer_clear_of_repeats(spec);
        let mut incident = self.detect(spec);
        let slot = self.week_slot(&incident, spec, plan);
        let quiet = self.quiet(&incident, spec, plan, slot.is_none());
        let mut journey = self.journey(&incident, spec, plan, &quiet, slot);
        let assessment = self.assess(&incident, &journey);
        // Detected is the stage that defines the damage: some cases have not written it yet
        // (unless it was written since, see `touch`).
        if journey.r == 0
            && self.rng.random_bool(0.15)
            && quiet.touch_at.is_none_or(|at| at <= incident.created)
        {
            incident.what_happened.clear();
        }

        let talks = self.talks(&journey);
        let email_only = self.rng.random_bool(0.12);
        let sentiment = self.first_mood(&incident);
        // The timeline, in the words the case page itself writes (src/db/cases.rs).
        let mut events = vec![event(
            incident.id,
            incident.owner,
            "created",
            format!("Logged the incident \u{201c}{}\u{201d}", incident.title),
            "{}".into(),
            incident.created,
        )];
        self.assessment_event(&incident, &journey, &assessment, &mut events);
        self.conversations(
            &incident,
            &journey,
            talks,
            email_only,
            MoodBefore::FirstContact(sentiment),
            &mut events,
        );
        if journey.r >= 3 {
            self.action_items(&incident, &journey, &mut events);
            self.commitments(&incident, &journey, &mut events);
        }
        let reparation = self.reparation(&incident, &journey, &assessment, &mut events);
        let let_go_reason = self.stage_events(&incident, &journey, &mut events);
        if let Some(at) = journey.closed_at {
            self.close(&incident, &journey, at, &mut events);
        }
        let owner_name = self.user_name(incident.owner);
        let followed_up = journey.follow_up.is_some();
        if let Some(follow_up) = journey.follow_up.take() {
            follow_up.write(
                self.rng,
                FollowUpCase {
                    id: incident.id,
                    owner: incident.owner,
                    owner_name,
                    outcome: journey.outcome,
                    details: &incident.details,
                },
                &mut events,
                &mut self.data.follow_up_plans,
                &mut self.data.check_ins,
            );
        }
        if followed_up && journey.outcome == Outcome::Open {
            self.count_this_week(incident.id, incident.owner, incident.team);
        }
        if let Some(at) = quiet.touch_at {
            let last = last_activity(&events).unwrap_or(incident.created);
            if last < at {
                self.touch(&incident, &journey, sentiment, last, at, &mut events);
            }
        }
        if journey.outcome == Outcome::Restored
            && let Some(at) = journey.closed_at
        {
            self.pace.restored(spec.account, at);
        }
        let case = self.case_row(
            &incident,
            &journey,
            assessment,
            reparation,
            let_go_reason,
            &events,
        );
        self.data.events.extend(events);
        self.data.cases.push(case);
    }

    /// Detected: what happened, when, who noticed first, how bad.
    fn detect(&mut self, spec: CaseSpec) -> Incident {
        let rng = &mut *self.rng;
        let account = &self.data.accounts[spec.account];
        let id = uuid(rng);
        let created = self.now - TimeDelta::seconds(spec.age);
        let category = {
            let weights: Vec<(usize, u32)> = self
                .categories
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.text.weight))
                .collect();
            &self.categories[weighted(rng, &weights)]
        };
        let text = category.text;
        let severity = weighted(
            rng,
            &[("low", 30), ("medium", 40), ("high", 22), ("critical", 8)],
        );
        // The team gets better with Mend: recent incidents are noticed by us first more often,
        // and clients are a little less angry when we reach out.
        let recency = 1.0 - spec.age as f64 / (HISTORY_DAYS * DAY) as f64;
        let by_us = rng.random_bool((0.33 + 0.24 * recency).clamp(0.0, 1.0));
        let logging_delay = if by_us { 12 * HOUR } else { 36 * HOUR };
        let detected = created - TimeDelta::seconds(rng.random_range(0..logging_delay));
        let occurred = detected
            - TimeDelta::seconds(if by_us {
                rng.random_range(10 * MINUTE..48 * HOUR)
            } else {
                rng.random_range(2 * HOUR..14 * DAY)
            });
        let details = Details::new(rng, account.contact_first, occurred);
        let (title, first_sentence) = pick(rng, text.incidents);
        let title = capitalised(&details.fill(title));
        let what_happened = {
            let mut sentences = vec![capitalised(&details.fill(first_sentence))];
            if rng.random_bool(0.6) {
                sentences.push(details.fill_one(rng, IMPACTS));
            }
            if rng.random_bool(0.5) {
                let pool = if by_us { FOUND_BY_US } else { FOUND_BY_CLIENT };
                sentences.push(details.fill_one(rng, pool));
            }
            sentences.join(" ")
        };
        Incident {
            id,
            account_id: account.id,
            team: account.team,
            owner: account.manager_id,
            tier: account.tier,
            annual_value_minor: account.annual_value_minor,
            contact_name: account.contact_name.clone(),
            category_id: category.id,
            text,
            severity,
            recency,
            by_us,
            occurred,
            detected,
            created,
            details,
            title,
            what_happened,
        }
    }

    /// How far the case got, how it ended, and when each step happened. Following up: the
    /// plan's rhythm decides when an open case entered the stage and when a restored one
    /// closed, so their check-ins fit.
    fn journey(
        &mut self,
        incident: &Incident,
        spec: CaseSpec,
        plan: Plan,
        quiet: &Quiet,
        slot: Option<Slot>,
    ) -> Journey {
        let let_go_turn =
            plan == Plan::Open(Stage::Assessing) && self.pace.let_go_turn(incident.team);
        let rng = &mut *self.rng;
        let outcome = match plan {
            Plan::Open(_) => Outcome::Open,
            Plan::Restored => Outcome::Restored,
            Plan::Lost => Outcome::Lost,
            Plan::LetGo => Outcome::LetGo,
        };
        let reached = match plan {
            Plan::Open(stage) => stage,
            Plan::Restored => Stage::FollowingUp,
            Plan::LetGo => Stage::Assessing,
            Plan::Lost => weighted(
                rng,
                &[
                    (Stage::Assessing, 10),
                    (Stage::ReachingOut, 25),
                    (Stage::MakingItRight, 35),
                    (Stage::FollowingUp, 30),
                ],
            ),
        };
        let r = usize::from(reached.number() - 1);
        let let_go_requested = plan == Plan::LetGo || let_go_turn;

        // Moments: each stage move, then the let-go request and decision or the close.
        let mut gaps: Vec<i64> = (0..r)
            .map(|i| rng.random_range(STAGE_HOURS[i].0 * HOUR..STAGE_HOURS[i].1 * HOUR))
            .collect();
        if let_go_requested {
            gaps.push(rng.random_range(12 * HOUR..120 * HOUR));
        }
        match outcome {
            Outcome::Open => {}
            Outcome::Restored => {
                gaps.push(rng.random_range(STAGE_HOURS[4].0 * HOUR..STAGE_HOURS[4].1 * HOUR))
            }
            Outcome::Lost => gaps.push(rng.random_range(24 * HOUR..720 * HOUR)),
            Outcome::LetGo => gaps.push(rng.random_range(2 * HOUR..72 * HOUR)),
        }
        // An open case's story ends when it was last worked on.
        let until = quiet.until;
        let age = if outcome == Outcome::Open {
            (until - incident.created).num_seconds()
        } else {
            spec.age
        };
        let budget = (age - MINUTE) as f64
            * if outcome == Outcome::Open {
                rng.random_range(0.3..0.9)
            } else {
                rng.random_range(0.6..0.98)
            };
        let total = gaps.iter().sum::<i64>().max(1) as f64;
        // Squeeze a journey into a young case; stretch a short one a little in an old case.
        let scale = if total > budget {
            budget / total
        } else {
            (budget / total).min(2.5)
        };
        let created = incident.created;
        let mut moments = Vec::with_capacity(gaps.len());
        let mut at = created;
        for gap in gaps {
            at += TimeDelta::seconds(((gap as f64 * scale) as i64).max(1));
            moments.push(at);
        }
        let zone = crate::domain::case::time_zone(TEAMS[incident.team].time_zone);
        let follow_up = if reached == Stage::FollowingUp {
            let clock = Clock {
                now: self.now,
                until,
                zone,
                week: self.pace.week(incident.team),
            };
            place_follow_up(rng, outcome, created, clock, slot, &mut moments)
        } else {
            None
        };
        if outcome == Outcome::Open
            && let_go_requested
            && let Some(at) = quiet.touch_at
        {
            // A request waits for a manager's answer for days, not weeks.
            moments[r] = moments[r].max(at);
        }
        let closed_at = (outcome != Outcome::Open).then(|| moments[moments.len() - 1]);
        let let_go_requested_at = let_go_requested.then(|| moments[r]);
        Journey {
            plan,
            outcome,
            reached,
            r,
            let_go_requested,
            created,
            moments,
            follow_up,
            let_go_requested_at,
            closed_at,
            end: closed_at.unwrap_or(until),
        }
    }

    /// The name of the demo user `id`.
    fn user_name(&self, id: Uuid) -> &'static str {
        self.data
            .users
            .iter()
            .find(|u| u.id == id)
            .map_or("", |u| u.name)
    }

    /// The case row itself, once its `events` are all written.
    fn case_row(
        &self,
        incident: &Incident,
        journey: &Journey,
        assessment: Assessment,
        reparation: Reparation,
        let_go_reason: &'static str,
        events: &[EventRow],
    ) -> CaseRow {
        let last_activity_at = last_activity(events)
            .unwrap_or(incident.created)
            .min(self.now);
        // Every change after logging the incident bumped the version (optimistic locking).
        let version = i32::try_from(events.len()).unwrap_or(i32::MAX);
        let (plan, outcome) = (journey.plan, journey.outcome);
        let stage = if outcome == Outcome::Open {
            journey.reached
        } else {
            Stage::Closed
        };
        let manager = self.staff[incident.team].manager;
        CaseRow {
            id: incident.id,
            number: 0,
            account_id: incident.account_id,
            team_id: self.data.team_ids[incident.team],
            owner_id: incident.owner,
            title: incident.title.clone(),
            what_happened: incident.what_happened.clone(),
            category_id: incident.category_id,
            severity: incident.severity,
            detected_by: if incident.by_us { "us" } else { "client" },
            occurred_at: incident.occurred,
            detected_at: incident.detected,
            value_at_risk_minor: assessment.value_at_risk,
            stage: stage.as_str(),
            outcome: outcome.as_str(),
            root_cause: assessment.root_cause,
            our_share: assessment.our_share,
            other_side_view: assessment.other_side_view,
            relationship_value: assessment.relationship_value,
            decision: assessment.decision,
            reparation_what: reparation.what,
            reparation_cost_minor: reparation.cost_minor,
            reparation_none_reason: reparation.none_reason,
            let_go: match (plan, journey.let_go_requested) {
                (Plan::LetGo, _) => "approved",
                (_, true) => "requested",
                _ => "none",
            },
            let_go_reason,
            let_go_requested_by: journey.let_go_requested.then_some(incident.owner),
            let_go_requested_at: journey.let_go_requested_at,
            let_go_decided_by: (plan == Plan::LetGo).then_some(manager),
            let_go_decided_at: if plan == Plan::LetGo {
                journey.closed_at
            } else {
                None
            },
            version,
            created_at: incident.created,
            last_activity_at,
            closed_at: journey.closed_at,
        }
    }
}

/// The last time someone worked on the case: Mend's own notes (a check-in missed, a plan's
/// cadence step) are not activity.
fn last_activity(events: &[EventRow]) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| e.actor_id.is_some())
        .map(|e| e.created_at)
        .max()
}
