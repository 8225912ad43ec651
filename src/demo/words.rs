//! The words the demo is made of: its teams and people, company names, the texts each
//! category's cases are written from, the lines of conversations and check-ins, and the
//! `Details` (a contact's name, a project, a month…) that one case fills them in with.

use chrono::{DateTime, Datelike, Utc};
use rand::Rng;
use rand::rngs::StdRng;

use super::generate::pick;
use crate::domain::case::Channel;

/// The details one case's texts share, so its title, story, actions and conversations agree.
pub(super) struct Details {
    contact: &'static str,
    deliverable: &'static str,
    project: &'static str,
    report: &'static str,
    month: &'static str,
    quarter: &'static str,
    weekday: &'static str,
    days: String,
    weeks: String,
}

impl Details {
    /// Details for an incident that happened at `occurred`: months and quarters lie just before it.
    pub(super) fn new(rng: &mut StdRng, contact: &'static str, occurred: DateTime<Utc>) -> Details {
        let month0 = occurred.month0() as usize;
        Details {
            contact,
            deliverable: pick(rng, DELIVERABLES),
            project: pick(rng, PROJECTS),
            report: pick(rng, REPORTS),
            month: MONTHS[(month0 + 12 - rng.random_range(0..=2)) % 12],
            quarter: ["Q4", "Q1", "Q2", "Q3"][month0 / 3],
            weekday: pick(
                rng,
                &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            ),
            days: rng.random_range(2..=14).to_string(),
            weeks: rng.random_range(2..=6).to_string(),
        }
    }

    /// `template` with its `{placeholders}` filled in.
    pub(super) fn fill(&self, template: &str) -> String {
        if !template.contains('{') {
            return template.to_string();
        }
        template
            .replace("{contact}", self.contact)
            .replace("{deliverable}", self.deliverable)
            .replace("{project}", self.project)
            .replace("{report}", self.report)
            .replace("{month}", self.month)
            .replace("{quarter}", self.quarter)
            .replace("{weekday}", self.weekday)
            .replace("{n}", &self.days)
            .replace("{weeks}", &self.weeks)
    }

    /// One of `templates`, filled in.
    pub(super) fn fill_one(&self, rng: &mut StdRng, templates: &[&str]) -> String {
        self.fill(pick(rng, templates))
    }
}

/// `text` with its first letter in upper case (templates may start with a placeholder).
pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a conversation was had, as the case page writes it in the timeline ("by phone").
pub(super) fn channel_how(channel: &str) -> &'static str {
    match channel {
        "in_person" => "in person",
        "phone" => "by phone",
        "video" => "by video call",
        "email" => "by e-mail",
        _ => "by chat",
    }
}

/// How a conversation began, by channel, at first contact or later: the first half of its
/// summary.
pub(super) fn opening_lines(channel: &str, first: bool) -> &'static [&'static str] {
    match (channel, first) {
        ("in_person", true) => &[
            "Visited {contact} at their office to apologise in person.",
            "Met {contact} near their office and went through what happened, step by step.",
        ],
        ("phone", true) => &[
            "Called {contact} and let them tell the whole story without interrupting.",
            "Phoned {contact} the same afternoon and apologised for our part.",
            "Called {contact}, listened first, then asked what we could have done differently.",
        ],
        ("video", true) => &[
            "Video call with {contact} and their team lead.",
            "Set up a video call with {contact} to walk through what went wrong.",
        ],
        ("email", true) => &[
            "E-mailed {contact} an apology and our plan to fix it.",
            "Wrote to {contact} explaining what happened and what we are doing about it.",
        ],
        (_, true) => &["Messaged {contact} to acknowledge the problem and ask for a call."],
        ("in_person", false) => &["Dropped by {contact}'s office to check that the fix holds."],
        ("phone", false) => &[
            "Check-in call with {contact}.",
            "Called {contact} to hear how things have gone since the fix.",
        ],
        ("video", false) => &["Video check-in with {contact}."],
        ("email", false) => &["Sent {contact} a short update and asked how things are going."],
        _ => &["Quick chat with {contact} about the latest delivery."],
    }
}

/// The client's mood in a conversation: the second half of its summary.
pub(super) fn sentiment_lines(sentiment: i16) -> &'static [&'static str] {
    match sentiment {
        i16::MIN..=-2 => &[
            "They are still angry and said they are looking at other suppliers.",
            "Very frustrated: this is not the first time.",
        ],
        -1 => &[
            "Still disappointed, but willing to give us the chance to fix it.",
            "Cool and guarded; they want to see results, not words.",
        ],
        0 => &[
            "Neutral: they accepted the plan and will judge us on delivery.",
            "Calmer now; they appreciated hearing it from us directly.",
        ],
        1 => &[
            "Positive: they noticed the improvement.",
            "Friendly; they thanked us for following up.",
        ],
        _ => &[
            "Very positive: they said the relationship feels stronger than before.",
            "Happy again, and they mentioned a new project for us.",
        ],
    }
}

/// How a check-in went, by channel: the first half of its summary.
pub(super) fn check_in_openings(channel: Channel) -> &'static [&'static str] {
    match channel {
        Channel::InPerson => &[
            "Visited {contact} at their office.",
            "Met {contact} for coffee near their office.",
            "Stopped by after the {weekday} meeting with {contact}.",
        ],
        Channel::Phone => &[
            "Check-in call with {contact}.",
            "Called {contact} to hear how things are going.",
            "Phoned {contact} about {project}.",
            "Quick call with {contact} after the last delivery.",
        ],
        Channel::Video => &[
            "Video check-in with {contact}.",
            "Short video call with {contact} and their team lead.",
            "Went through {project} with {contact} on a video call.",
        ],
        Channel::Email => &[
            "E-mailed {contact} for an update.",
            "Asked {contact} by e-mail how {project} is going.",
        ],
        Channel::Chat => &[
            "Chatted with {contact} about the latest delivery.",
            "Messaged {contact} to ask how things are.",
        ],
    }
}

/// The client's mood at a check-in: the second half of its summary.
pub(super) fn check_in_moods(sentiment: i16) -> &'static [&'static str] {
    match sentiment {
        i16::MIN..=-2 => &[
            "Still angry; they are talking to other suppliers.",
            "Another slip on {project} made things worse.",
            "They say nothing has really changed.",
        ],
        -1 => &[
            "Guarded: the fix has not convinced them yet.",
            "A small delay on {project} annoyed them again.",
            "Polite but cool; they are keeping score.",
        ],
        0 => &[
            "The fix holds; they are waiting to see more.",
            "Businesslike and calm, no complaints this time.",
            "No news is good news, they said.",
        ],
        1 => &[
            "The fix holds and they sound warmer.",
            "They noticed the improvement on {project}.",
            "Friendly; they say the new routine works.",
            "They thanked us for keeping in touch.",
        ],
        _ => &[
            "Relaxed and positive again.",
            "Happy with us again; they mentioned new work.",
            "They said we handled it well.",
        ],
    }
}

/// What a client says at a check-in, by mood.
pub(super) fn client_words(mood: i16) -> &'static [&'static str] {
    match mood {
        i16::MIN..=-1 => &[
            "Honestly, we are still waiting for things to change.",
            "I have heard promises before.",
            "We are looking at other suppliers.",
        ],
        0 => &[
            "It is better, but I need to see it last.",
            "We will see next month.",
            "No complaints this week, no praise either.",
        ],
        _ => &[
            "This is what we expected from you from the start.",
            "Much better than last month.",
            "The team noticed the difference.",
            "We trust you again.",
        ],
    }
}

pub(super) struct TeamSpec {
    pub(super) name: &'static str,
    pub(super) time_zone: &'static str,
    pub(super) phone_prefix: &'static str,
    /// Relative share of the accounts.
    pub(super) share: u32,
    /// Larger accounts.
    pub(super) enterprise: bool,
    pub(super) manager: &'static str,
    pub(super) account_managers: [&'static str; 4],
}

pub(super) const TEAMS: [TeamSpec; 3] = [
    TeamSpec {
        name: "North",
        time_zone: "Europe/Stockholm",
        phone_prefix: "+46 8",
        share: 38,
        enterprise: false,
        manager: "Nora Lindqvist",
        account_managers: ["Erik Holm", "Sanne de Vries", "Jonas Berg", "Ingrid Dahl"],
    },
    TeamSpec {
        name: "South",
        time_zone: "Europe/Madrid",
        phone_prefix: "+34 91",
        share: 38,
        enterprise: false,
        manager: "Marco Rossi",
        account_managers: [
            "Lucía Fernández",
            "Tiago Costa",
            "Chiara Bianchi",
            "Pablo Ortega",
        ],
    },
    TeamSpec {
        name: "Enterprise",
        time_zone: "Europe/London",
        phone_prefix: "+44 20",
        share: 24,
        enterprise: true,
        manager: "Helen Carter",
        account_managers: ["James Okafor", "Priya Shah", "Tom Becker", "Aisha Rahman"],
    },
];

pub(super) const ADMIN_NAME: &str = "Dana Whitfield";

pub(super) const NAME_PREFIXES: &[&str] = &[
    "Northwind",
    "Bluefin",
    "Cedar",
    "Harbor",
    "Granite",
    "Silverline",
    "Oakridge",
    "Redwood",
    "Lumen",
    "Brightwater",
    "Ironbridge",
    "Summit",
    "Kestrel",
    "Meridian",
    "Fjord",
    "Copperfield",
    "Willow",
    "Stonegate",
    "Aurora",
    "Pinecrest",
    "Seabright",
    "Highland",
    "Atlas",
    "Juniper",
    "Falcon",
    "Riverside",
    "Evergreen",
    "Crescent",
    "Vantage",
    "Marlow",
    "Beacon",
    "Alder",
    "Orchard",
    "Polaris",
    "Tidewater",
    "Hawthorn",
    "Larkspur",
    "Quarry",
    "Saltmarsh",
    "Westbrook",
];

pub(super) const NAME_SUFFIXES: &[&str] = &[
    "Logistics",
    "Health",
    "Studios",
    "Foods",
    "Analytics",
    "Engineering",
    "Retail",
    "Pharma",
    "Energy",
    "Media",
    "Capital",
    "Robotics",
    "Textiles",
    "Dental",
    "Architects",
    "Legal",
    "Travel",
    "Hotels",
    "Software",
    "Insurance",
    "Bakeries",
    "Freight",
    "Labs",
    "Furniture",
    "Telecom",
    "Consulting",
    "Motors",
    "Clinics",
    "Publishing",
    "Outdoor",
];

pub(super) const LEGAL_FORMS: &[&str] = &[
    "", "", "", "", "", "Ltd", "GmbH", "B.V.", "AB", "S.L.", "Oy", "AS", "Group", "& Co",
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "Anna", "Lars", "Sofia", "Jan", "Maria", "Peter", "Emma", "David", "Laura", "Thomas", "Julia",
    "Marco", "Elena", "Martin", "Sara", "Oliver", "Nina", "Daniel", "Clara", "Henrik", "Eva",
    "Jonas", "Lena", "Paul", "Ines", "Felix", "Hanna", "Victor", "Rosa", "Mats",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Andersson",
    "Jansen",
    "Moreau",
    "Novak",
    "Garcia",
    "Schmidt",
    "Eriksen",
    "Rossi",
    "Murphy",
    "Keller",
    "Nilsson",
    "Dubois",
    "Kowalski",
    "Bakker",
    "Lopez",
    "Weber",
    "Hansen",
    "Costa",
    "Walsh",
    "Meyer",
    "Virtanen",
    "Silva",
    "Brandt",
    "Fischer",
    "Larsen",
    "Martin",
    "Vogel",
    "Peeters",
    "Horvat",
    "Ortiz",
];

pub(super) const OTHER_PEOPLE: &[&str] = &[
    "their COO",
    "the finance lead",
    "the project sponsor",
    "their head of operations",
    "the purchasing manager",
];

pub(super) const ACCOUNT_NOTES: &[&str] = &[
    "",
    "",
    "Renewal due in the spring.",
    "Prefers calls before 10:00.",
    "Procurement signs off everything above 10k.",
    "New CFO since last quarter.",
    "Long-standing client; introduced us to two others.",
    "Price-sensitive; compares us with two competitors every year.",
    "Weekly status call on Mondays.",
    "Expanding into two new countries this year.",
    "Reference customer for our case studies.",
];

pub(super) const DELIVERABLES: &[&str] = &[
    "the audit pack",
    "the design mock-ups",
    "the data export",
    "the board presentation",
    "the test report",
    "the onboarding plan",
    "the pricing proposal",
    "the compliance review",
];

pub(super) const PROJECTS: &[&str] = &[
    "the new portal",
    "the warehouse integration",
    "the CRM rollout",
    "the spring campaign",
    "the mobile app",
    "the payroll switch",
    "the office move",
    "the data migration",
];

pub(super) const REPORTS: &[&str] = &["KPI report", "usage report", "stock report", "SLA report"];

pub(super) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The texts cases of one category are written from. Templates may use `{contact}` (the client
/// contact's first name), `{deliverable}`, `{project}`, `{report}`, `{month}`, `{quarter}`,
/// `{weekday}`, `{n}` (days) and `{weeks}`; one case fills them all the same way.
#[derive(Debug)]
pub(super) struct CategoryText {
    /// The seeded category's name, lowercased.
    pub(super) name: &'static str,
    /// How common the category is, relative to the others.
    pub(super) weight: u32,
    /// A title and the first sentence of what happened, which belong together.
    pub(super) incidents: &'static [(&'static str, &'static str)],
    pub(super) root_causes: &'static [&'static str],
    pub(super) actions: &'static [&'static str],
    pub(super) commitments: &'static [&'static str],
    pub(super) lessons: &'static [&'static str],
}

pub(super) const CATEGORY_TEXTS: &[CategoryText] = &[
    CategoryText {
        name: "missed deadline",
        weight: 22,
        incidents: &[
            (
                "Missed the {quarter} report deadline",
                "The {quarter} report was due on the agreed date and reached {contact} {n} days later.",
            ),
            (
                "Delivered {deliverable} {n} days late",
                "We committed to {deliverable} by the agreed date and delivered it {n} days late, without warning.",
            ),
            (
                "Go-live of {project} slipped by {weeks} weeks",
                "The team underestimated the work on {project} and told the client only on the planned go-live day.",
            ),
            (
                "Monthly {report} not delivered on time",
                "The {month} {report} was ready but nobody sent it; {contact} had to ask for it.",
            ),
            (
                "Promised {deliverable} for Friday, delivered the next Wednesday",
                "Two people were out sick, the handover never happened and the Friday deadline for {deliverable} passed unnoticed.",
            ),
            (
                "Deadline for {project} missed without warning",
                "The milestone for {project} passed and the client heard nothing from us until they asked.",
            ),
        ],
        root_causes: &[
            "No shared calendar of client deadlines; each consultant tracked their own.",
            "The plan had no slack and nobody raised the risk when the scope grew.",
            "Handover between colleagues relied on memory instead of a checklist.",
        ],
        actions: &[
            "Deliver the missing work and walk {contact} through it",
            "Put every open client deadline into the team calendar",
            "Add a Monday deadline check to the team meeting",
            "Re-plan {project} with realistic dates and share the plan",
        ],
        commitments: &[
            "From now on we will confirm every deadline in writing and warn you a week ahead if it is at risk.",
            "From now on we will send you a short status note every Friday until delivery.",
        ],
        lessons: &[
            "Deadlines live in one shared calendar, not in people's heads.",
            "Warn the client as soon as a date is at risk, not on the day.",
        ],
    },
    CategoryText {
        name: "quality of work",
        weight: 20,
        incidents: &[
            (
                "Errors in {deliverable}",
                "The client found several errors in {deliverable} after sharing it with their board.",
            ),
            (
                "Bug in production after the {month} release",
                "The {month} release broke the export {contact}'s team relies on every morning.",
            ),
            (
                "{deliverable} had to be redone",
                "Part of {deliverable} did not meet the agreed standard and had to be redone.",
            ),
            (
                "Wrong figures in the {quarter} forecast",
                "The figures in our {quarter} forecast did not match the client's own books.",
            ),
            (
                "Translation of {deliverable} full of mistakes",
                "The translated version of {deliverable} was full of mistakes and could not be sent on.",
            ),
            (
                "Shipment for {project} arrived damaged",
                "Half of the equipment for {project} arrived damaged because it was packed without protection.",
            ),
        ],
        root_causes: &[
            "Nobody reviewed the work before it went out; the four-eyes check was skipped under time pressure.",
            "The test plan did not cover the client's way of using the feature.",
            "A junior colleague worked from an outdated template.",
        ],
        actions: &[
            "Correct {deliverable} and send it with a list of what changed",
            "Add a second reviewer for everything that goes to this client",
            "Extend the test plan with the client's daily routine",
            "Retire the outdated template",
        ],
        commitments: &[
            "From now on we will have a second person review everything before it reaches you.",
            "From now on we will test every release against your own daily routine first.",
        ],
        lessons: &[
            "A four-eyes check is cheapest exactly when we feel we have no time for it.",
            "Test against how the client really works, not how we think they work.",
        ],
    },
    CategoryText {
        name: "communication",
        weight: 16,
        incidents: &[
            (
                "Client not told about the delay of {project}",
                "{contact} learned about the delay of {project} from a supplier, not from us.",
            ),
            (
                "Change of account manager not announced",
                "We changed the client's account manager and nobody told {contact}.",
            ),
            (
                "Price change communicated by invoice only",
                "The new prices reached the client only through the {month} invoice.",
            ),
            (
                "Conflicting answers from support and sales",
                "Sales and support gave {contact} two different answers to the same question about {project}.",
            ),
            (
                "Client heard about the outage from their own customers",
                "Our service was down for a morning and the client heard about it from their own customers first.",
            ),
            (
                "Tone of our escalation e-mail upset {contact}",
                "A curt e-mail from our side about {project} landed badly with {contact}.",
            ),
        ],
        root_causes: &[
            "Nobody owned telling the client; everyone assumed someone else had.",
            "Sales and support do not share notes on open client questions.",
            "We wrote in a hurry and did not read it from the client's side.",
        ],
        actions: &[
            "Call {contact} to explain the change properly",
            "Name one person who owns client communication for this account",
            "Share open client questions between sales and support",
        ],
        commitments: &[
            "From now on we will tell you about any change that affects you before it happens.",
            "From now on you will have one contact person who answers all your questions.",
        ],
        lessons: &[
            "Every change that touches a client needs a named person to tell them.",
            "Read an escalation e-mail as the client before sending it, or call instead.",
        ],
    },
    CategoryText {
        name: "billing",
        weight: 12,
        incidents: &[
            (
                "Invoice sent twice",
                "The client was billed twice for {month} and their finance team noticed first.",
            ),
            (
                "Charged the old rate after the {month} renegotiation",
                "The invoice still used the rate from before the {month} renegotiation.",
            ),
            (
                "Credit note promised in {month} never issued",
                "The credit note we promised {contact} in {month} never went out, and they had to chase it.",
            ),
            (
                "Invoice addressed to the wrong entity",
                "Our invoice went to the client's old legal entity and was rejected by their accounts payable.",
            ),
            (
                "Unexpected overage charges on the {month} invoice",
                "The {month} invoice carried overage charges nobody had warned the client about.",
            ),
            (
                "Payment reminder sent although the invoice was paid",
                "A payment reminder went to {contact} for an invoice they had paid weeks before.",
            ),
        ],
        root_causes: &[
            "The new rate was agreed by e-mail and never entered into the billing system.",
            "Manual invoice runs without a duplicate check.",
            "Payments are matched to invoices only once a month.",
        ],
        actions: &[
            "Issue the credit note and confirm it to {contact}",
            "Check every open invoice of this client for the same error",
            "Add a duplicate check to the monthly invoice run",
        ],
        commitments: &[
            "From now on every agreed rate change will be confirmed to you in writing and checked on the next invoice.",
            "From now on we will check your invoices by hand before they go out, for the next six months.",
        ],
        lessons: &[
            "An agreement is not done until it is in the billing system.",
            "Reminders go out only after payments are matched.",
        ],
    },
    CategoryText {
        name: "staffing / no-show",
        weight: 10,
        incidents: &[
            (
                "Consultant did not show up for kickoff",
                "The client had gathered their team for the kickoff of {project} and nobody from our side turned up.",
            ),
            (
                "Engineer missed the on-site visit on {weekday}",
                "Our engineer did not arrive for the visit planned on {weekday}; {contact} waited all morning.",
            ),
            (
                "Trainer cancelled the workshop the evening before",
                "The workshop was cancelled the evening before, after the client had booked a room for twenty people.",
            ),
            (
                "Key consultant replaced mid-project without notice",
                "We moved the lead consultant off {project} without telling the client.",
            ),
            (
                "Nobody from our side joined the {month} steering meeting",
                "The {month} steering meeting for {project} went ahead without anyone from our side.",
            ),
            (
                "Junior staff sent to a senior-level assignment",
                "{contact} expected a senior specialist for {project} and got someone in their first month.",
            ),
        ],
        root_causes: &[
            "Calendar invitations were not forwarded when the assignment changed hands.",
            "Resourcing decisions were made without asking the account manager.",
            "No back-up was planned for a single-person dependency.",
        ],
        actions: &[
            "Reschedule the session at a time that suits {contact}",
            "Introduce the new consultant to {contact} in person",
            "Name a back-up for every client-facing session",
        ],
        commitments: &[
            "From now on we will confirm every visit the day before, and always have a back-up ready.",
            "From now on we will never change your team without talking to you first.",
        ],
        lessons: &[
            "Every client-facing appointment needs a named back-up.",
            "Staffing changes are client news: the account manager tells the client first.",
        ],
    },
    CategoryText {
        name: "lost or late reply",
        weight: 12,
        incidents: &[
            (
                "Support ticket unanswered for {n} days",
                "{contact} opened a support ticket and heard nothing for {n} days.",
            ),
            (
                "E-mail from {contact} about {project} lost in a shared inbox",
                "{contact}'s question about {project} sat in a shared inbox that nobody was watching.",
            ),
            (
                "Quote request answered after {weeks} weeks",
                "The client asked for a quote and got it {weeks} weeks later, after they had gone elsewhere for part of the work.",
            ),
            (
                "Urgent call-back never happened",
                "We promised {contact} a call back the same day and never called.",
            ),
            (
                "Contract question left open since {month}",
                "A question about the contract renewal has been open since {month}; {contact} asked three times.",
            ),
            (
                "Escalation e-mail went to a colleague on leave",
                "The client's escalation went to a colleague on holiday whose auto-reply named no stand-in.",
            ),
        ],
        root_causes: &[
            "The shared inbox has no owner and no rota.",
            "Out-of-office replies do not name a stand-in.",
            "Call-back promises are not tracked anywhere.",
        ],
        actions: &[
            "Answer every open question from {contact} today",
            "Set up a rota for the shared inbox",
            "Make stand-ins mandatory in out-of-office replies",
        ],
        commitments: &[
            "From now on we will answer every message from you within one working day.",
            "From now on you will get a direct number that always reaches someone on your account.",
        ],
        lessons: &[
            "A shared inbox without an owner is nobody's inbox.",
            "A promised call-back is a commitment: track it like one.",
        ],
    },
];

/// For "Other" and for categories an admin added.
pub(super) const GENERIC_CATEGORY: CategoryText = CategoryText {
    name: "other",
    weight: 8,
    incidents: &[
        (
            "Client unhappy with the handover of {project}",
            "The handover of {project} was rushed and {contact}'s team was left with open questions.",
        ),
        (
            "Access badges for the client's team not ready",
            "The client's team arrived on {weekday} and waited an hour at reception for their badges.",
        ),
        (
            "Meeting room double-booked for the client's visit",
            "The room booked for {contact}'s visit was taken, and the meeting moved to the canteen.",
        ),
        (
            "Confidential file shared with the wrong contact",
            "We shared a draft of {deliverable} with the wrong person at the client.",
        ),
        (
            "Parking promised for the client's visit not arranged",
            "We promised {contact} parking for the visit and forgot to arrange it.",
        ),
    ],
    root_causes: &[
        "No checklist for preparing client visits.",
        "Nobody double-checked the recipient list.",
        "The handover between teams was done in a hurry.",
    ],
    actions: &[
        "Apologise to {contact} and sort it out in person",
        "Write a checklist for client visits",
        "Review who has access to the client's files",
    ],
    commitments: &[
        "From now on we will prepare every visit with a checklist and confirm the details with you.",
        "From now on we will double-check every recipient before sharing your documents.",
    ],
    lessons: &[
        "Small things matter most when trust is already thin.",
        "Checklists beat memory for anything we do only now and then.",
    ],
};

pub(super) const IMPACTS: &[&str] = &[
    "{contact} had to explain it to their own management.",
    "It cost their team a day of extra work.",
    "{contact} called it the third time this year.",
    "No money was lost, but trust took a hit.",
    "{contact} said they are starting to wonder whether we still care about their account.",
    "It happened in their busiest week of the year.",
];

pub(super) const FOUND_BY_US: &[&str] = &[
    "We noticed it ourselves in the weekly review and called the client first.",
    "Our own check caught it a day later, before the client said anything.",
];

pub(super) const FOUND_BY_CLIENT: &[&str] = &[
    "The client noticed before we did and raised it with their account manager.",
    "We heard about it from the client's purchasing department.",
    "{contact} raised it, visibly annoyed, at the end of a status call.",
];

pub(super) const OTHER_SIDE_VIEWS: &[&str] = &[
    "From their side it looked as if we simply did not care.",
    "They were under pressure from their own management and needed this on time.",
    "They feel they have to chase us for everything.",
    "They had already promised the date to their own customers.",
    "They are fair about it: they know mistakes happen, but not twice.",
];

pub(super) const REPARATIONS: &[&str] = &[
    "A free extra workshop day for their team",
    "A credit of one month's service fee",
    "Redelivery at our cost, with express shipping",
    "Two days of senior consulting at no charge",
    "The set-up fee for their next project waived",
    "Priority support for three months at no extra cost",
];

pub(super) const NO_REPARATION_REASONS: &[&str] = &[
    "The client asked for nothing beyond a proper fix.",
    "Our share was small; fixing it quickly is the right answer.",
    "The contract's service credits already cover it.",
];

pub(super) const LET_GO_REASONS: &[&str] = &[
    "Third serious incident this year, and the account barely covers its cost.",
    "They want a service level we cannot offer at their price.",
    "The relationship has been unprofitable for two years; both sides are better off parting.",
    "They asked us to bend our compliance rules.",
];

pub(super) const GENERAL_LESSONS: &[&str] = &[
    "Call the client the moment we know something is wrong; do not wait for them to find out.",
    "Pick up the phone for bad news: e-mail loses the tone.",
    "Agree up front what we offer and to what standard, and never over-promise.",
    "Follow up until the client says things are good again, not until we think so.",
    "Take the blame first; the details can be sorted out afterwards.",
    "Small reparations work better than big gestures: slightly better off, not rewarded for complaining.",
];

pub(super) const SKIP_REASONS: &[&str] = &[
    "{contact} was on holiday.",
    "{contact} asked to move it to the next one.",
    "We met at the quarterly review that week instead.",
    "Their office was closed for a public holiday.",
    "{contact} did not answer and was off sick that week.",
];

pub(super) const NEXT_STEPS: &[&str] = &[
    "Send {contact} the revised schedule for {project}.",
    "Invite {contact} to the quarterly review.",
    "Confirm the next delivery date in writing.",
    "Share the new escalation contacts with {contact}.",
    "Ask how the next delivery landed with their team.",
    "Book the next visit with {contact}.",
];
