//! The admin-managed list of incident categories. Retired categories stay on old cases but are
//! no longer offered for new ones.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub retired_at: Option<DateTime<Utc>>,
    pub cases: i64,
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Category>> {
    sqlx::query_as!(
        Category,
        r#"select k.id, k.name, k.retired_at,
                  (select count(*) from cases c where c.category_id = k.id) as "cases!"
           from categories k order by k.retired_at nulls first, k.position, lower(k.name)"#
    )
    .fetch_all(db)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    #[error("a category with that name already exists")]
    Duplicate,
    #[error("no such category")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn map(e: sqlx::Error) -> CategoryError {
    if super::is_unique_violation(&e, "categories_name_key") {
        CategoryError::Duplicate
    } else {
        e.into()
    }
}

/// Adds a category at the end of the list; returns its id.
#[tracing::instrument(skip_all)]
pub async fn add(conn: &mut PgConnection, name: &str) -> Result<Uuid, CategoryError> {
    sqlx::query_scalar!(
        "insert into categories (name, position)
         values ($1, (select coalesce(max(position), 0) + 1 from categories))
         returning id",
        name
    )
    .fetch_one(conn)
    .await
    .map_err(map)
}

/// Renames a category; returns its name before.
#[tracing::instrument(skip_all, fields(category_id = %id))]
pub async fn rename(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
) -> Result<String, CategoryError> {
    let before = sqlx::query_scalar!("select name from categories where id = $1 for update", id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CategoryError::NotFound)?;
    sqlx::query!("update categories set name = $2 where id = $1", id, name)
        .execute(&mut *conn)
        .await
        .map_err(map)?;
    Ok(before)
}

/// Retires a category (or brings it back when `retired` is false). Returns its name and
/// whether anything changed (retiring a retired category does not).
#[tracing::instrument(skip_all, fields(category_id = %id))]
pub async fn set_retired(
    conn: &mut PgConnection,
    id: Uuid,
    retired: bool,
) -> Result<(String, bool), CategoryError> {
    let row = sqlx::query!(
        "select name, retired_at from categories where id = $1 for update",
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CategoryError::NotFound)?;
    if row.retired_at.is_some() == retired {
        return Ok((row.name, false));
    }
    sqlx::query!(
        "update categories set retired_at = case when $2 then now() else null end where id = $1",
        id,
        retired
    )
    .execute(&mut *conn)
    .await?;
    Ok((row.name, true))
}
