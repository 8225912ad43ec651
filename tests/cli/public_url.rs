//! Without `--public-url`, links that leave the browser point at the address Mend listens on;
//! an admin who reaches Mend at another address is told so.

use nix::sys::signal::Signal;

use crate::support::{DataDir, stderr};

/// Signs `email` in on the server at `base` and creates a user with a one-time password link;
/// the link shown, and the admin page fetched with the Host header `host` (`None`: as is).
async fn password_link_and_notice(base: &str, email: &str, host: &str) -> (String, String, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let token_of = |page: &str| {
        let doc = scraper::Html::parse_document(page);
        let sel = scraper::Selector::parse("input[name=csrf_token]").expect("sel");
        doc.select(&sel)
            .next()
            .and_then(|e| e.value().attr("value"))
            .expect("token")
            .to_string()
    };
    let get = |path: String| {
        let client = client.clone();
        async move {
            client
                .get(path)
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body")
        }
    };
    let token = token_of(&get(format!("{base}/login")).await);
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(res.status().as_u16(), 303);
    let new_user = get(format!("{base}/admin/users/new")).await;
    let token = token_of(&new_user);
    let doc = scraper::Html::parse_document(&new_user);
    let team = doc
        .select(&scraper::Selector::parse("#team_id option[value]:not([value=''])").expect("sel"))
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_default()
        .to_string();
    let page = client
        .post(format!("{base}/admin/users"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Bo Park"),
            ("email", "bo@example.com"),
            ("role", "account_manager"),
            ("team_id", &team),
            ("time_zone", "UTC"),
            ("password_mode", "link"),
            ("password", ""),
        ])
        .send()
        .await
        .expect("create")
        .text()
        .await
        .expect("body");
    let doc = scraper::Html::parse_document(&page);
    let link = doc
        .select(&scraper::Selector::parse("#password-link").expect("sel"))
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("no link: {page}"))
        .to_string();
    let notice_of = |page: &str| {
        let doc = scraper::Html::parse_document(page);
        doc.select(&scraper::Selector::parse("#admin-notice").expect("sel"))
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default()
    };
    let here = notice_of(&get(format!("{base}/admin")).await);
    assert!(here.is_empty(), "no notice at the public address: {here}");
    let elsewhere = client
        .get(format!("{base}/admin"))
        .header("host", host)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    (link, notice_of(&page), notice_of(&elsewhere))
}

#[test]
fn without_a_public_url_links_point_at_the_address_mend_listens_on() {
    let dir = DataDir::new();
    let out = dir.run(
        &[
            "user",
            "create",
            "--email",
            "admin@example.com",
            "--name",
            "Ada Admin",
            "--role",
            "admin",
            "--team",
            "North",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let server = dir.serve();
    let base = format!("http://127.0.0.1:{}", server.port);
    let (link, notice, elsewhere) =
        tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(password_link_and_notice(
                &base,
                "admin@example.com",
                "mend.example.com",
            ));
    assert!(
        link.starts_with(&format!("{base}/password/")),
        "the one-time link points at {link}, not {base}"
    );
    assert!(notice.is_empty(), "{notice}");
    assert!(
        elsewhere.contains("You opened Mend at mend.example.com")
            && elsewhere.contains(&base)
            && elsewhere.contains("--public-url"),
        "{elsewhere}"
    );
    server.signal(Signal::SIGTERM);
    assert!(server.wait().0);
}
