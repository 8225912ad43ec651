//! A private chromedriver and a headless Chromium session for one test.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::launch(true).await
    }

    /// A browser with JavaScript turned off: every form must still work.
    pub async fn start_without_javascript() -> Browser {
        Browser::launch(false).await
    }

    async fn launch(javascript: bool) -> Browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                std::path::Path::new(path).exists(),
                "browser tests need {path}: apt-get install {package} (or run .ci/run)"
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        // Its own process group, so the browser it launches can be killed with it even when a
        // test panics before closing the session.
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "profile.managed_default_content_settings.javascript":
                        if javascript { 1 } else { 2 },
                },
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("cannot start Chromium: {e}"),
                // chromedriver is still starting.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn text(&self, css: &str) -> String {
        // Found again when htmx replaced the element between finding and reading it.
        for _ in 0..20 {
            let el = self
                .client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no {css}: {e}"));
            if let Ok(text) = el.text().await {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} kept being replaced while read")
    }

    /// Waits (through page loads) until `css` shows text containing `expected`.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if text.contains(expected) {
                    return;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Say what the page showed instead: the notices and errors on it.
        let notices = match self
            .client
            .find_all(Locator::Css(
                ".section-notice, .error-summary, .problem, .flash",
            ))
            .await
        {
            Ok(found) => {
                let mut texts = Vec::new();
                for el in found {
                    if let Ok(t) = el.text().await
                        && !t.is_empty()
                    {
                        texts.push(t);
                    }
                }
                texts.join(" | ")
            }
            Err(_) => String::new(),
        };
        panic!(
            "{css} never showed {expected:?} (last: {last:?}; notices on the page: {notices:?})"
        );
    }

    pub async fn fill(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .send_keys(value)
            .await
            .expect("type");
    }

    /// Fills in the case page's conversation form (with whom, what was said, the client's mood
    /// in words) and sends it.
    pub async fn log_conversation(&self, with_whom: &str, summary: &str, mood: &str) {
        self.fill("#with_whom", with_whom).await;
        self.fill("#summary", summary).await;
        self.choose("sentiment", mood).await;
        self.click("#conversation-form button[type=submit]").await;
    }

    /// Chooses the option whose visible text is `label` in the select box `css`.
    pub async fn select(&self, css: &str, label: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .select_by_label(label)
            .await
            .unwrap_or_else(|e| panic!("no option {label:?} in {css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Chooses the radio button of group `name` whose label reads `word` (a mood, say).
    pub async fn choose(&self, name: &str, word: &str) {
        let xpath = format!(
            "//label[.//input[@type='radio' and @name='{name}']][normalize-space(.)='{word}']"
        );
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no {word:?} to choose for {name}: {e}"))
            .click()
            .await
            .expect("choose");
    }

    /// Runs `script` (a function body that returns a value) in the page.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Sizes the window so that the page itself (the viewport) is `width` × `height`, as on a
    /// screen of that size: the window's own frame is added on top.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize");
        // Only the height: headless windows have no side frame, and resizing again can push a
        // narrow window to the browser's minimum width.
        let extra = self
            .js("return window.outerHeight - window.innerHeight;", vec![])
            .await
            .as_i64()
            .unwrap_or(0);
        if extra > 0 {
            self.client
                .set_window_size(width, height + extra as u32)
                .await
                .expect("resize");
        }
    }

    /// Whether the whole of the first element matching `css` is inside the window as it is
    /// scrolled now (what a person sees without scrolling).
    pub async fn in_view(&self, css: &str) -> bool {
        self.js(
            "const e = document.querySelector(arguments[0]);
             if (!e) return false;
             const r = e.getBoundingClientRect();
             return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight
                 && r.left >= 0 && r.right <= window.innerWidth;",
            vec![serde_json::json!(css)],
        )
        .await
        .as_bool()
        .unwrap_or(false)
    }

    /// The element that has the focus: its id, else its tag and class.
    pub async fn focused(&self) -> String {
        self.js(
            "const e = document.activeElement;
             return e ? (e.id || (e.tagName.toLowerCase() + '.' + e.className)) : '';",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Marks the page loaded now, so `same_page` can tell whether it was reloaded since.
    pub async fn mark_page(&self) {
        self.js("window.mendTestMark = 'not reloaded'; return true;", vec![])
            .await;
    }

    /// Whether the page marked by `mark_page` is still the one shown (not reloaded).
    pub async fn same_page(&self) -> bool {
        self.js("return window.mendTestMark === 'not reloaded';", vec![])
            .await
            .as_bool()
            .unwrap_or(false)
    }

    /// The height of the whole document, in CSS pixels.
    pub async fn document_height(&self) -> i64 {
        self.js(
            "return Math.ceil(document.documentElement.scrollHeight);",
            vec![],
        )
        .await
        .as_i64()
        .unwrap_or(i64::MAX)
    }

    /// Opens the sign-in page at `url` (which may carry `?next=`) and signs in.
    pub async fn sign_in(&self, url: &str, email: &str, password: &str) {
        self.client.goto(url).await.expect("goto the sign-in page");
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("button[type=submit].primary").await;
    }

    /// Fills the first-run setup form for Northwind Services and its admin, Ada (the demo box
    /// is left as it is).
    pub async fn fill_setup(&self) {
        self.fill("#organisation", "Northwind Services").await;
        self.fill("#name", "Ada Admin").await;
        self.fill("#email", "ada@northwind.example").await;
        self.fill("#password", "a long enough password").await;
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver, Chromium and all of Chromium's helpers.
        let group = nix::unistd::Pid::from_raw(-(self.driver.id() as i32));
        let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.driver.wait();
    }
}
