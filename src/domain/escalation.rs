//! The escalation clock's fixed rule: when a new incident repeats a repaired one. (How long an
//! open case may stay quiet is the organisation's setting, per severity; the database reads it
//! through `escalation_limits()`, migration 20261203001001.)

/// A new incident on an account within this many days of a case there closed as restored is a
/// repeat: it is escalated at once and linked to that case.
pub const REPEAT_WINDOW_DAYS: i32 = 90;
