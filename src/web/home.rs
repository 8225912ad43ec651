//! The home page (later: "My work").

use askama::Template;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;

use super::page::{Chrome, Ctx, render};
use crate::auth::guard;
use crate::error::Result;

pub fn router() -> super::Router {
    super::Router::new()
        .route("/", get(home))
        .route_layer(middleware::from_fn(guard::signed_in))
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
}

async fn home(ctx: Ctx) -> Result<Response> {
    let name = ctx.user()?.name.clone();
    Ok(render(
        StatusCode::OK,
        &HomePage {
            chrome: ctx.chrome("Home"),
            name,
        },
    ))
}
