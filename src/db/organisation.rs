//! The organisation's settings: one row, made by the migration, changed by admins.

use sqlx::{PgConnection, PgExecutor};

use crate::domain::organisation::{OrgSettings, WeekStart};

struct Row {
    name: String,
    time_zone: String,
    default_cadence: String,
    stuck_after_days: Option<i32>,
    week_start: String,
    adaptive_step_after: i32,
    restored_after: i32,
    escalate_critical_days: i32,
    escalate_high_days: i32,
    escalate_medium_days: i32,
    escalate_low_days: i32,
}

impl From<Row> for OrgSettings {
    fn from(r: Row) -> Self {
        OrgSettings {
            name: r.name,
            time_zone: r.time_zone,
            default_cadence: r.default_cadence,
            stuck_after_days: r.stuck_after_days.map(i64::from),
            // The column's check allows only the two.
            week_start: WeekStart::parse(&r.week_start).unwrap_or_default(),
            adaptive_step_after: i64::from(r.adaptive_step_after),
            restored_after: i64::from(r.restored_after),
            escalate_after: [
                i64::from(r.escalate_critical_days),
                i64::from(r.escalate_high_days),
                i64::from(r.escalate_medium_days),
                i64::from(r.escalate_low_days),
            ],
        }
    }
}

/// The settings (the defaults if the row is missing).
#[tracing::instrument(skip_all)]
pub async fn get(db: impl PgExecutor<'_>) -> sqlx::Result<OrgSettings> {
    Ok(sqlx::query_as!(
        Row,
        "select name, time_zone, default_cadence, stuck_after_days, week_start,
                adaptive_step_after, restored_after, escalate_critical_days,
                escalate_high_days, escalate_medium_days, escalate_low_days
         from organisation where id"
    )
    .fetch_optional(db)
    .await?
    .map(OrgSettings::from)
    .unwrap_or_default())
}

/// Saves the settings; returns what they were before (read under a lock, so two admins saving
/// at once each see the other's change).
#[tracing::instrument(skip_all)]
pub async fn save(conn: &mut PgConnection, s: &OrgSettings) -> sqlx::Result<OrgSettings> {
    let before = sqlx::query_as!(
        Row,
        "select name, time_zone, default_cadence, stuck_after_days, week_start,
                adaptive_step_after, restored_after, escalate_critical_days,
                escalate_high_days, escalate_medium_days, escalate_low_days
         from organisation where id for update"
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(OrgSettings::from)
    .unwrap_or_default();
    let stuck = s
        .stuck_after_days
        .map(i32::try_from)
        .transpose()
        .map_err(|e| sqlx::Error::Encode(e.into()))?;
    let step_after =
        i32::try_from(s.adaptive_step_after).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let restored_after =
        i32::try_from(s.restored_after).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let mut escalate = [0_i32; 4];
    for (slot, days) in escalate.iter_mut().zip(s.escalate_after) {
        *slot = i32::try_from(days).map_err(|e| sqlx::Error::Encode(e.into()))?;
    }
    sqlx::query!(
        "insert into organisation (id, name, time_zone, default_cadence, stuck_after_days, week_start,
                                   adaptive_step_after, restored_after, escalate_critical_days,
                                   escalate_high_days, escalate_medium_days, escalate_low_days)
         values (true, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (id) do update set name = excluded.name, time_zone = excluded.time_zone,
             default_cadence = excluded.default_cadence,
             stuck_after_days = excluded.stuck_after_days, week_start = excluded.week_start,
             adaptive_step_after = excluded.adaptive_step_after,
             restored_after = excluded.restored_after,
             escalate_critical_days = excluded.escalate_critical_days,
             escalate_high_days = excluded.escalate_high_days,
             escalate_medium_days = excluded.escalate_medium_days,
             escalate_low_days = excluded.escalate_low_days,
             updated_at = now()",
        s.name,
        s.time_zone,
        s.default_cadence,
        stuck,
        s.week_start.as_str(),
        step_after,
        restored_after,
        escalate[0],
        escalate[1],
        escalate[2],
        escalate[3]
    )
    .execute(&mut *conn)
    .await?;
    Ok(before)
}
