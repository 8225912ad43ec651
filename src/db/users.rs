//! Users and teams. Writes run in the caller's transaction (`app`).

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::Role;
use crate::domain::user::NewUser;

/// A user as the sign-in and session code needs them.
#[derive(Debug, Clone)]
pub struct UserAuth {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub time_zone: String,
    pub password_hash: String,
}

pub(crate) struct UserAuthRow {
    pub(crate) id: Uuid,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) team_id: Option<Uuid>,
    pub(crate) time_zone: String,
    pub(crate) password_hash: String,
}

impl TryFrom<UserAuthRow> for UserAuth {
    type Error = sqlx::Error;
    fn try_from(r: UserAuthRow) -> Result<Self, Self::Error> {
        Ok(UserAuth {
            role: Role::parse(&r.role).map_err(|e| sqlx::Error::Decode(e.into()))?,
            id: r.id,
            email: r.email,
            name: r.name,
            team_id: r.team_id,
            time_zone: r.time_zone,
            password_hash: r.password_hash,
        })
    }
}

/// An active user by e-mail address (case-insensitive), for signing in.
#[tracing::instrument(skip_all)]
pub async fn find_active_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<UserAuth>> {
    sqlx::query_as!(
        UserAuthRow,
        "select id, email, name, role, team_id, time_zone, password_hash
         from users where lower(email) = lower($1) and active",
        email
    )
    .fetch_optional(db)
    .await?
    .map(UserAuth::try_from)
    .transpose()
}

/// An active user by id, for the session.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn find_active(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<UserAuth>> {
    sqlx::query_as!(
        UserAuthRow,
        "select id, email, name, role, team_id, time_zone, password_hash
         from users where id = $1 and active",
        id
    )
    .fetch_optional(db)
    .await?
    .map(UserAuth::try_from)
    .transpose()
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("a user with the e-mail address {0} already exists")]
    DuplicateEmail(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a user (and their team, if none has its name); call it in a transaction, so
/// neither is left without the other. Returns the new user's id.
#[tracing::instrument(skip_all)]
pub async fn create(
    conn: &mut PgConnection,
    user: &NewUser,
    password_hash: &str,
) -> Result<Uuid, CreateUserError> {
    let team_id = match &user.team {
        Some(team) => Some(ensure_team(&mut *conn, team).await?),
        None => None,
    };
    let id = sqlx::query_scalar!(
        "insert into users (email, name, role, team_id, password_hash)
         values ($1, $2, $3, $4, $5) returning id",
        user.email.as_str(),
        user.name,
        user.role.as_str(),
        team_id,
        password_hash
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if super::is_unique_violation(&e, "users_email_key") {
            CreateUserError::DuplicateEmail(user.email.as_str().to_string())
        } else {
            e.into()
        }
    })?;
    Ok(id)
}

/// The id of the team called `name` (case-insensitive), creating it if needed.
async fn ensure_team(conn: &mut PgConnection, name: &str) -> sqlx::Result<Uuid> {
    // `on conflict do nothing` returns no row when the team exists; then read it.
    let inserted = sqlx::query_scalar!(
        "insert into teams (name) values ($1) on conflict do nothing returning id",
        name
    )
    .fetch_optional(&mut *conn)
    .await?;
    match inserted {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar!("select id from teams where lower(name) = lower($1)", name)
                .fetch_one(&mut *conn)
                .await
        }
    }
}

/// A row of the admin's user list.
#[derive(Debug, Clone)]
pub struct UserListRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub team: Option<String>,
    pub active: bool,
}

fn role_of(raw: &str) -> sqlx::Result<Role> {
    Role::parse(raw).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// Every user, by name.
pub async fn list_all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<UserListRow>> {
    let rows = sqlx::query!(
        r#"select u.id, u.name, u.email, u.role, t.name as "team?", u.active
           from users u left join teams t on t.id = u.team_id
           order by lower(u.name), u.email"#
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(UserListRow {
                role: role_of(&r.role)?,
                id: r.id,
                name: r.name,
                email: r.email,
                team: r.team,
                active: r.active,
            })
        })
        .collect()
}

/// The active members of a team, by name.
pub async fn list_team(db: impl PgExecutor<'_>, team_id: Uuid) -> sqlx::Result<Vec<UserListRow>> {
    let rows = sqlx::query!(
        r#"select u.id, u.name, u.email, u.role, t.name as "team?", u.active
           from users u left join teams t on t.id = u.team_id
           where u.team_id = $1 and u.active
           order by lower(u.name), u.email"#,
        team_id
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(UserListRow {
                role: role_of(&r.role)?,
                id: r.id,
                name: r.name,
                email: r.email,
                team: r.team,
                active: r.active,
            })
        })
        .collect()
}

/// A team's name.
pub async fn team_name(db: impl PgExecutor<'_>, team_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("select name from teams where id = $1", team_id)
        .fetch_optional(db)
        .await
}

/// A team with its number of active members.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: Uuid,
    pub name: String,
    pub members: i64,
}

/// Every team with its number of active members, by name.
pub async fn list_teams(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<TeamRow>> {
    sqlx::query_as!(
        TeamRow,
        r#"select t.id, t.name, count(u.id) filter (where u.active) as "members!"
           from teams t left join users u on u.team_id = t.id
           group by t.id order by lower(t.name)"#
    )
    .fetch_all(db)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("a team with that name already exists")]
    Duplicate,
    #[error("no such team")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn team_error(e: sqlx::Error) -> TeamError {
    if super::is_unique_violation(&e, "teams_name_key") {
        TeamError::Duplicate
    } else {
        e.into()
    }
}

/// Creates a team; names are unique whatever their case.
#[tracing::instrument(skip_all)]
pub async fn create_team(conn: &mut PgConnection, name: &str) -> Result<Uuid, TeamError> {
    sqlx::query_scalar!("insert into teams (name) values ($1) returning id", name)
        .fetch_one(conn)
        .await
        .map_err(team_error)
}

/// Renames a team; returns its name before.
#[tracing::instrument(skip_all, fields(team_id = %id))]
pub async fn rename_team(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
) -> Result<String, TeamError> {
    let before = sqlx::query_scalar!("select name from teams where id = $1 for update", id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(TeamError::NotFound)?;
    sqlx::query!("update teams set name = $2 where id = $1", id, name)
        .execute(&mut *conn)
        .await
        .map_err(team_error)?;
    Ok(before)
}

/// A user as the admin pages show and change them.
#[derive(Debug, Clone)]
pub struct AdminUser {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub team: Option<String>,
    pub time_zone: String,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

struct AdminUserRow {
    id: Uuid,
    name: String,
    email: String,
    role: String,
    team_id: Option<Uuid>,
    team: Option<String>,
    time_zone: String,
    active: bool,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<AdminUserRow> for AdminUser {
    type Error = sqlx::Error;
    fn try_from(r: AdminUserRow) -> Result<Self, Self::Error> {
        Ok(AdminUser {
            role: role_of(&r.role)?,
            id: r.id,
            name: r.name,
            email: r.email,
            team_id: r.team_id,
            team: r.team,
            time_zone: r.time_zone,
            active: r.active,
            created_at: r.created_at,
        })
    }
}

/// One user, active or not.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<AdminUser>> {
    sqlx::query_as!(
        AdminUserRow,
        r#"select u.id, u.name, u.email, u.role, u.team_id, t.name as "team?", u.time_zone,
                  u.active, u.created_at
           from users u left join teams t on t.id = u.team_id
           where u.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?
    .map(AdminUser::try_from)
    .transpose()
}

/// One user, locked until the transaction ends, so a change can be checked and written as one.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<AdminUser>> {
    sqlx::query_as!(
        AdminUserRow,
        r#"select u.id, u.name, u.email, u.role, u.team_id, t.name as "team?", u.time_zone,
                  u.active, u.created_at
           from users u left join teams t on t.id = u.team_id
           where u.id = $1
           for update of u"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .map(AdminUser::try_from)
    .transpose()
}

/// How many active admins there are, with each of them locked until the transaction ends:
/// two admins demoting each other at the same moment are taken one after the other, and the
/// second sees the first's change. Call it before locking the user being changed: with every
/// such change locking the admins first (in id order), two of them cannot deadlock.
#[tracing::instrument(skip_all)]
pub async fn lock_active_admins(conn: &mut PgConnection) -> sqlx::Result<i64> {
    let ids = sqlx::query_scalar!(
        "select id from users where role = 'admin' and active order by id for update"
    )
    .fetch_all(conn)
    .await?;
    Ok(i64::try_from(ids.len()).unwrap_or(i64::MAX))
}

/// A new user as an admin creates them.
pub struct NewAccountRow<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub team_id: Option<Uuid>,
    pub time_zone: &'a str,
}

/// Creates a user in a team that exists. Returns the new user's id.
#[tracing::instrument(skip_all)]
pub async fn create_account(
    conn: &mut PgConnection,
    user: &NewAccountRow<'_>,
    password_hash: &str,
) -> Result<Uuid, CreateUserError> {
    sqlx::query_scalar!(
        "insert into users (email, name, role, team_id, time_zone, password_hash)
         values ($1, $2, $3, $4, $5, $6) returning id",
        user.email,
        user.name,
        user.role.as_str(),
        user.team_id,
        user.time_zone,
        password_hash
    )
    .fetch_one(conn)
    .await
    .map_err(|e| {
        if super::is_unique_violation(&e, "users_email_key") {
            CreateUserError::DuplicateEmail(user.email.to_string())
        } else {
            e.into()
        }
    })
}

/// Sets a user's role and team.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn set_access(
    conn: &mut PgConnection,
    id: Uuid,
    role: Role,
    team_id: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set role = $2, team_id = $3, updated_at = now() where id = $1",
        id,
        role.as_str(),
        team_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deactivates or reactivates a user. Their sessions end either way (see
/// `db::sessions::delete_for_user`); call both in one transaction.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn set_active(conn: &mut PgConnection, id: Uuid, active: bool) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set active = $2, updated_at = now() where id = $1",
        id,
        active
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How many open cases a user owns (they stay theirs when the user is deactivated).
pub async fn open_cases_owned(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from cases where owner_id = $1 and outcome = 'open'"#,
        id
    )
    .fetch_one(db)
    .await
}

/// Sets a user's time zone (an IANA name, already validated).
pub async fn set_time_zone(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    time_zone: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set time_zone = $2, updated_at = now() where id = $1",
        user_id,
        time_zone
    )
    .execute(db)
    .await?;
    Ok(())
}

/// What a user chose on their settings page.
#[derive(Debug, Clone)]
pub struct Prefs {
    pub time_zone: String,
    pub remind_due: bool,
    pub remind_missed: bool,
    pub remind_digest: bool,
    /// The secret part of the private calendar URL; none when no link is issued.
    pub calendar_secret: Option<String>,
}

/// A user's settings.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn prefs(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Option<Prefs>> {
    sqlx::query_as!(
        Prefs,
        "select time_zone, remind_due, remind_missed, remind_digest, calendar_secret
         from users where id = $1",
        user_id
    )
    .fetch_optional(db)
    .await
}

/// Which reminder e-mails a user wants.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn set_reminders(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    remind_due: bool,
    remind_missed: bool,
    remind_digest: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set remind_due = $2, remind_missed = $3, remind_digest = $4, updated_at = now()
         where id = $1",
        user_id,
        remind_due,
        remind_missed,
        remind_digest
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Issues (`Some`) or revokes (`None`) a user's private calendar link. A new secret replaces
/// the old one, so the old link stops working at once.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn set_calendar_secret(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    secret: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set calendar_secret = $2, updated_at = now() where id = $1",
        user_id,
        secret
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The active user whose private calendar link has `secret`.
#[tracing::instrument(skip_all)]
pub async fn find_by_calendar_secret(
    db: impl PgExecutor<'_>,
    secret: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "select id from users where calendar_secret = $1 and active",
        secret
    )
    .fetch_optional(db)
    .await
}

/// A user's stored password hash, to check their current password before changing it.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn password_hash(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "select password_hash from users where id = $1 and active",
        user_id
    )
    .fetch_optional(db)
    .await
}

/// Replaces a user's password hash. Their sessions' auth hash changes with it, so every
/// session that does not sign in again ends.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn set_password_hash(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set password_hash = $2, updated_at = now() where id = $1",
        user_id,
        password_hash
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A check-in as the private calendar feed shows it.
#[derive(Debug, Clone)]
pub struct CalendarCheckIn {
    pub id: Uuid,
    pub due_date: chrono::NaiveDate,
    /// `scheduled` or `missed`.
    pub status: String,
    pub case_number: i64,
    pub case_title: String,
    pub account_name: String,
}

/// The scheduled and missed check-ins assigned to a user, on cases still open. Being the
/// assignee is what lets them see these: the feed shows nothing else.
#[tracing::instrument(skip_all, fields(user_id = %user_id))]
pub async fn calendar_check_ins(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
) -> sqlx::Result<Vec<CalendarCheckIn>> {
    sqlx::query_as!(
        CalendarCheckIn,
        "select k.id, k.due_date, k.status, c.number as case_number, c.title as case_title,
                a.name as account_name
         from check_ins k
         join cases c on c.id = k.case_id
         join accounts a on a.id = c.account_id
         where k.assignee_id = $1 and k.status in ('scheduled', 'missed') and c.outcome = 'open'
         order by k.due_date, c.number, k.seq",
        user_id
    )
    .fetch_all(db)
    .await
}
