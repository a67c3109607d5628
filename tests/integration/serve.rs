//! `dossier serve`: the real binary on an ephemeral loopback port, asked
//! over HTTP. The API's JSON against the command line's, each parameter
//! and error, the OpenAPI description against real responses, live reload
//! beside a running `dossier index`, limits, headers, and the page in a
//! real browser (ignored here, run by CI where Chromium is installed).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{repo_file, TestEnv};

/// A running `dossier serve`, stopped when dropped.
struct Server {
    child: Child,
    base: String,
    stderr: Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts `dossier serve` on the index of `env` with `extra` flags, and
    /// waits for the line that says where it listens.
    fn start(env: &TestEnv, extra: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("dossier"))
            .current_dir(env.dir.path())
            .env_clear()
            .env("DOSSIER_TODAY", "2026-11-22")
            .args(["serve", "--index", "index"])
            .args(if extra.contains(&"--addr") {
                &[][..]
            } else {
                &["--addr", "127.0.0.1:0"][..]
            })
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dossier serve");
        let stderr = child.stderr.take().expect("stderr");
        let (sender, receiver) = std::sync::mpsc::channel();
        let log = Arc::new(std::sync::Mutex::new(String::new()));
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(at) = line.find("http://") {
                        let url = line[at..].split_whitespace().next().unwrap_or("");
                        let _ = sender.send(url.trim_end_matches('/').to_string());
                        sent = true;
                    }
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let base = receiver
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("dossier serve did not start: {}", log.lock().unwrap());
            });
        Server {
            child,
            base,
            stderr: log,
        }
    }

    fn get(&self, path_and_query: &str) -> Response {
        get(&format!("{}{path_and_query}", self.base))
    }

    fn json(&self, path_and_query: &str) -> Value {
        let response = self.get(path_and_query);
        assert_eq!(
            response.status, 200,
            "GET {path_and_query}: {}",
            response.body
        );
        serde_json::from_str(&response.body).expect("JSON")
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into()
    })
}

fn read(mut response: ureq::http::Response<ureq::Body>) -> Response {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .expect("body");
    Response {
        status,
        headers,
        body,
    }
}

fn get(url: &str) -> Response {
    read(agent().get(url).call().expect("GET"))
}

/// A query string from pairs, percent-encoded.
fn query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The path of an article, its id encoded as one segment.
fn article_path(id: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/api/articles/{}", encoded.replace('+', "%20"))
}

/// A small corpus of the repository's own articles, indexed.
fn indexed_env(articles: usize) -> TestEnv {
    let env = TestEnv::new();
    let mut names: Vec<_> = std::fs::read_dir(repo_file("corpus"))
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    for path in names.into_iter().take(articles) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        env.raw(&name, &std::fs::read(&path).expect("read article"));
    }
    env.index_corpus();
    env
}

/// The CLI's arguments for query-string pairs.
fn cli_args(pairs: &[(&str, &str)]) -> Vec<String> {
    let mut args = Vec::new();
    for (name, value) in pairs {
        match *name {
            "q" => args.push(value.to_string()),
            "facets" => args.push("--facets".to_string()),
            _ => {
                args.push(format!("--{name}"));
                args.push(value.to_string());
            }
        }
    }
    args
}

/// The JSON without what legitimately differs between two runs.
fn comparable(mut value: Value) -> Value {
    value.as_object_mut().unwrap().remove("took_ms");
    value
}

#[test]
fn the_api_returns_what_the_cli_prints_field_for_field_without_paths() {
    let env = indexed_env(40);
    let server = Server::start(&env, &["--quiet"]);
    let cases: &[&[(&str, &str)]] = &[
        &[("q", "hackers"), ("facets", "true")],
        &[("q", "espionage"), ("limit", "5"), ("offset", "3")],
        &[("actor", "APT31"), ("facets", "true")],
        &[("actor", "Zirconium"), ("actor", "APT28")],
        &[("country", "United Kingdom"), ("sort", "oldest")],
        &[
            ("q", "cyber"),
            ("since", "2020-01-01"),
            ("until", "2024-12-31"),
        ],
        &[("sponsor", "CN"), ("sort", "newest"), ("limit", "20")],
        &[("q", "title:china"), ("limit", "0"), ("facets", "true")],
        &[("q", "zzzznothingmatches")],
    ];
    for pairs in cases {
        let args = cli_args(pairs);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cli = env.search(&args);
        for hit in cli["hits"].as_array_mut().unwrap() {
            let path = hit.as_object_mut().unwrap().remove("path");
            assert!(path.is_some(), "the CLI's hits carry their path");
        }
        let api = server.json(&format!("/api/search?{}", query(pairs)));
        assert_eq!(comparable(api), comparable(cli), "{pairs:?}");
    }
}

/// Each bad parameter: 400, the parameter named, and the sentence the
/// command line prints with the parameter's name instead of the flag.
#[test]
fn bad_parameters_get_400_with_the_cli_sentence_naming_the_parameter() {
    let env = indexed_env(5);
    let server = Server::start(&env, &["--quiet"]);
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("country", "Atlantis")], "country"),
        (&[("actor", "Nonexistent Panda Bear")], "actor"),
        (&[("since", "2024-13-01")], "since"),
        (&[("since", "2024-05-01"), ("until", "2024-01-01")], "since"),
        (&[("cve", "CVE-12")], "cve"),
        (&[("technique", "X1")], "technique"),
        (&[("q", "(unbalanced")], "q"),
        (&[("offset", "2000000")], "offset"),
    ];
    for (pairs, param) in cases {
        let response = server.get(&format!("/api/search?{}", query(pairs)));
        assert_eq!(response.status, 400, "{pairs:?}: {}", response.body);
        let error = response.json();
        assert_eq!(error["param"], *param, "{pairs:?}");
        let message = error["error"].as_str().unwrap();
        assert!(
            !message.contains("--"),
            "HTTP names parameters, not flags: {message}"
        );
        let args = cli_args(pairs);
        let output = env
            .cmd()
            .arg("search")
            .args(&args)
            .args(["--index", "index"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{pairs:?}");
        let cli = String::from_utf8_lossy(&output.stderr);
        let cli = cli.trim().trim_start_matches("dossier: ");
        let flag = format!("--{param}");
        assert_eq!(
            cli.replace(&flag, param).replace("--until", "until"),
            message,
            "{pairs:?}"
        );
    }
    // The server's own bounds and parameters.
    let server_only: &[(&str, &str)] = &[
        ("/api/search?limit=1001", "limit"),
        ("/api/search?limit=ten", "limit"),
        ("/api/search?facets=maybe", "facets"),
        ("/api/search?sort=loudest", "sort"),
        ("/api/search?colour=red", "colour"),
        ("/api/histogram?interval=week", "interval"),
    ];
    for (path, param) in server_only {
        let response = server.get(path);
        assert_eq!(response.status, 400, "{path}: {}", response.body);
        assert_eq!(response.json()["param"], *param, "{path}");
    }
    assert_eq!(
        server.get("/api/search?limit=1001").json()["error"],
        "limit 1001 is more than 1000, the most one search returns; page through the rest with offset"
    );
    assert_eq!(
        server.get("/api/search?limit=ten").json()["error"],
        "limit \"ten\" is not a whole number"
    );
    let long_query = "a".repeat(5000);
    let response = server.get(&format!("/api/search?{}", query(&[("q", &long_query)])));
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["param"], "q");
    let huge = "b".repeat(20_000);
    let response = server.get(&format!("/api/search?q={huge}"));
    assert_eq!(response.status, 400, "{}", response.body);
    assert!(response.json()["error"]
        .as_str()
        .unwrap()
        .contains("query string"));
    // Deep nesting is refused, not a stack overflow.
    let deep = format!("{}a{}", "(".repeat(500), ")".repeat(500));
    let response = server.get(&format!("/api/search?{}", query(&[("q", &deep)])));
    assert_eq!(response.status, 400, "{}", response.body);
    assert_eq!(server.get("/healthz").status, 200, "still up");
}

#[test]
fn articles_come_whole_with_their_mentions_and_unknown_ids_get_404() {
    let env = indexed_env(30);
    let server = Server::start(&env, &["--quiet"]);
    let results = server.json("/api/search?actor=APT31&limit=1");
    let id = results["hits"][0]["id"].as_str().expect("an APT31 article");
    let article = server.json(&article_path(id));
    assert_eq!(article["id"], id);
    assert!(
        article.get("path").is_none(),
        "no path of the server's disk"
    );
    let body = article["body"].as_str().unwrap();
    let mentions = article["mentions"].as_array().unwrap();
    assert!(!mentions.is_empty());
    let mut last_end = 0;
    for mention in mentions {
        let (start, end) = (
            mention["start"].as_u64().unwrap() as usize,
            mention["end"].as_u64().unwrap() as usize,
        );
        assert!(start >= last_end, "sorted and without overlaps");
        last_end = end;
        assert_eq!(&body[start..end], mention["surface"], "byte range");
        let role = mention["role"].as_str().unwrap();
        assert!(
            [
                "actor",
                "accused",
                "victim",
                "accuser",
                "mentioned",
                "descriptor"
            ]
            .contains(&role),
            "{role}"
        );
    }
    let actors: Vec<&str> = mentions
        .iter()
        .filter(|m| m["role"] == "actor")
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert!(actors.contains(&"APT31"), "{actors:?}");
    // Every target the article carries is backed by a country mention.
    for target in article["targets"].as_array().unwrap() {
        assert!(
            mentions
                .iter()
                .any(|m| m["value"] == *target && m["facet"] == "target"),
            "{target} has a mention"
        );
        let verdict = article["countries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == *target)
            .expect("a verdict");
        assert_eq!(verdict["target"], true);
        assert!(!verdict["name"].as_str().unwrap().is_empty());
    }
    let dir = env.dir.path().to_string_lossy().into_owned();
    for id in [
        "nope.txt",
        "../../etc/passwd",
        "/etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "corpus/../../../../etc/shadow",
        "\u{0}",
    ] {
        let response = server.get(&article_path(id));
        assert_eq!(response.status, 404, "{id:?}: {}", response.body);
        assert!(!response.body.contains(&dir), "no server path leaks");
        assert!(response.json()["error"]
            .as_str()
            .unwrap()
            .contains("no article"));
    }
    // CVEs, techniques and software are marked too.
    let indicators = TestEnv::new();
    indicators.article(
        "cve.txt",
        "2024-05-01",
        "APT28 exploited CVE-2023-23397 (T1566) and ran BlackEnergy against a ministry in Poland.",
    );
    indicators.index_corpus();
    let server = Server::start(&indicators, &["--quiet"]);
    let article = server.json(&article_path("cve.txt"));
    let body = article["body"].as_str().unwrap();
    let marked: Vec<(&str, &str, &str)> = article["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "indicator")
        .map(|m| {
            let (start, end) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            (
                m["facet"].as_str().unwrap(),
                m["value"].as_str().unwrap(),
                &body[start..end],
            )
        })
        .collect();
    assert_eq!(
        marked,
        [
            ("cve", "CVE-2023-23397", "CVE-2023-23397"),
            ("technique", "T1566", "T1566"),
            ("malware", "BlackEnergy", "BlackEnergy"),
        ]
    );
    // The targeted sector is marked as a victim, and the readings say why.
    let sector = article["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["facet"] == "sector")
        .expect("a sector mention");
    assert_eq!(
        (&sector["value"], &sector["role"]),
        (&"government".into(), &"victim".into())
    );
    let readings = article["readings"].as_array().unwrap();
    assert!(
        readings
            .iter()
            .any(|r| r["facet"] == "sector" && r["why"].as_str().unwrap().contains("near")),
        "{readings:?}"
    );

    // Ids with `/` and `#` work when encoded as one segment.
    let feed = TestEnv::new();
    feed.raw(
        "feeds/vendor.jsonl",
        br#"{"id": "a#1", "title": "APT31 again", "date": "2024-03-01", "body": "APT31 hacked the UK Electoral Commission."}
"#,
    );
    feed.index_corpus();
    let server = Server::start(&feed, &["--quiet"]);
    let hits = server.json("/api/search");
    let id = hits["hits"][0]["id"].as_str().unwrap().to_string();
    assert!(id.contains('/') && id.contains('#'), "{id}");
    assert_eq!(server.json(&article_path(&id))["id"], id.as_str());
}

#[test]
fn the_histogram_counts_matches_per_year_and_month() {
    let env = TestEnv::new();
    env.article("a.txt", "2022-01-10", "APT31 hacked a ministry.");
    env.article("b.txt", "2022-03-05", "APT31 hacked a parliament.");
    env.article("c.txt", "2024-07-01", "APT28 hacked a ministry.");
    env.raw("d.txt", b"Undated: APT31 hacked a ministry.");
    env.index_corpus();
    let server = Server::start(&env, &["--quiet"]);
    let years = server.json("/api/histogram?q=hacked");
    let counts: Vec<(String, u64)> = years["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_string(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("2022".into(), 2), ("2023".into(), 0), ("2024".into(), 1)]
    );
    assert_eq!(years["undated"], 1);
    assert_eq!(years["interval"], "year");
    let months = server.json("/api/histogram?actor=APT31&interval=month&since=2022-01-01");
    let keys: Vec<&str> = months["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["2022-01", "2022-02", "2022-03"]);
    assert_eq!(months["buckets"][1]["count"], 0);
    assert_eq!(months["buckets"][2]["since"], "2022-03-01");
    assert_eq!(months["buckets"][2]["until"], "2022-03-31");
    assert_eq!(
        months["undated"], 0,
        "the date filter drops undated articles"
    );
}

/// Every response the API gives, the errors too, fits the OpenAPI
/// description the server publishes.
#[test]
fn responses_match_the_openapi_description() {
    let env = indexed_env(30);
    let server = Server::start(&env, &["--quiet"]);
    let description = server.json("/api/openapi.json");
    assert_eq!(description["openapi"], "3.1.0");
    let some_id = server.json("/api/search?limit=1")["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let article = article_path(&some_id);
    let cases: Vec<(String, &str, u16)> = vec![
        (
            "/api/search?q=hackers&facets=true&limit=50".into(),
            "SearchResults",
            200,
        ),
        (
            "/api/search?sort=newest&limit=3".into(),
            "SearchResults",
            200,
        ),
        (
            "/api/search?country=GB&actor=APT31".into(),
            "SearchResults",
            200,
        ),
        ("/api/search?country=Atlantis".into(), "Error", 400),
        ("/api/histogram?interval=month".into(), "Histogram", 200),
        ("/api/histogram?interval=fortnight".into(), "Error", 400),
        (article, "Article", 200),
        ("/api/articles/missing".into(), "Error", 404),
        ("/api/stats".into(), "Stats", 200),
        ("/api/countries".into(), "Countries", 200),
        ("/api/facets".into(), "Facets", 200),
        ("/healthz".into(), "Health", 200),
        ("/api/nothing-here".into(), "Error", 404),
    ];
    for (path, schema, status) in cases {
        let response = server.get(&path);
        assert_eq!(response.status, status, "{path}: {}", response.body);
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{path}"
        );
        let documented = &description["paths"];
        let route = path
            .split('?')
            .next()
            .unwrap()
            .replace(&article_path(&some_id), "/api/articles/{id}")
            .replace("/api/articles/missing", "/api/articles/{id}");
        if let Some(operation) = documented.get(&route) {
            assert!(
                operation["get"]["responses"]
                    .get(status.to_string())
                    .is_some(),
                "{route} documents {status}"
            );
        }
        let mut schema_document = description.clone();
        schema_document["$ref"] = Value::from(format!("#/components/schemas/{schema}"));
        let validator = jsonschema::draft202012::new(&schema_document)
            .unwrap_or_else(|e| panic!("the {schema} schema compiles: {e}"));
        let instance = response.json();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path} against {schema}: {errors:#?}");
    }
    // The documented filter parameters are the facet table's.
    let parameters: Vec<&str> = description["paths"]["/api/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for param in [
        "q",
        "actor",
        "sponsor",
        "country",
        "cve",
        "technique",
        "malware",
        "since",
        "until",
        "limit",
        "offset",
        "sort",
        "facets",
    ] {
        assert!(parameters.contains(&param), "{param} documented");
    }
}

#[test]
fn a_running_server_sees_a_concurrent_index_commit_within_a_second_or_so() {
    let env = TestEnv::new();
    env.article("a.txt", "2024-01-01", "APT31 hacked the ministry.");
    env.index_corpus();
    let server = Server::start(&env, &["--quiet"]);
    assert_eq!(server.json("/healthz")["articles"], 1);
    assert_eq!(server.json("/api/search?q=parliament")["total_hits"], 0);
    env.article("b.txt", "2024-02-01", "APT28 breached the parliament.");
    env.index_corpus();
    let committed = Instant::now();
    loop {
        let total = server.json("/api/search?q=parliament")["total_hits"].as_u64();
        if total == Some(1) {
            break;
        }
        assert!(
            committed.elapsed() < Duration::from_secs(10),
            "the new commit never showed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let seen_after = committed.elapsed();
    eprintln!("new commit seen after {seen_after:?}");
    assert!(
        seen_after < Duration::from_secs(3),
        "seen only after {seen_after:?}"
    );
    assert_eq!(server.json("/healthz")["articles"], 2);
}

#[test]
fn every_response_carries_the_security_headers_and_cors_only_when_asked() {
    let env = indexed_env(3);
    let server = Server::start(&env, &[]);
    for path in [
        "/",
        "/assets/app.js",
        "/api/search?q=x",
        "/api/nothing",
        "/healthz",
    ] {
        let response = server.get(path);
        let csp = response.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert!(response.header("access-control-allow-origin").is_none());
    }
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page.body.contains("/assets/app.js"));
    assert!(!page.body.contains("<script>"), "no inline script");
    let script = server.get("/assets/app.js");
    assert!(script
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(server.get("/assets/../Cargo.toml").status, 404);
    assert_eq!(server.get("/assets/secret.txt").status, 404);
    // Read-only.
    let post = read(
        agent()
            .post(&format!("{}/api/search", server.base))
            .send("q=x")
            .expect("POST"),
    );
    assert_eq!(post.status, 405, "{}", post.body);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    assert!(post.json()["error"].as_str().unwrap().contains("read-only"));
    // Requests are logged without --quiet.
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        server.log().contains("GET /healthz 200"),
        "{}",
        server.log()
    );

    let origin = "https://intel.example.org";
    let server = Server::start(&env, &["--quiet", "--cors", origin]);
    let response = read(
        agent()
            .get(&format!("{}/api/search", server.base))
            .header("Origin", origin)
            .call()
            .expect("GET"),
    );
    assert_eq!(response.header("access-control-allow-origin"), Some(origin));
}

#[test]
fn serve_refuses_what_it_cannot_serve_with_one_sentence() {
    let env = TestEnv::new();
    let output = env
        .cmd()
        .args(["serve", "--index", "missing-index", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing-index"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    for (flags, wrong) in [
        (&["--cors", "intel.example.org"][..], "--cors"),
        (&["--time-limit", "0"][..], "--time-limit"),
        (&["--max-in-flight", "0"][..], "--max-in-flight"),
    ] {
        let output = env
            .cmd()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flags:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(wrong));
    }
}

#[test]
fn a_non_loopback_address_is_served_with_a_warning() {
    let env = indexed_env(2);
    let server = Server::start(&env, &["--quiet", "--addr", "0.0.0.0:0"]);
    assert!(
        server.log().contains("not a loopback address"),
        "{}",
        server.log()
    );
    let port = server.base.rsplit(':').next().unwrap();
    assert_eq!(get(&format!("http://127.0.0.1:{port}/healthz")).status, 200);
}

/// The in-flight cap, through the library's server on a loopback port:
/// with no slot, every search is refused at once with 503 and Retry-After,
/// while the cheap endpoints still answer. (The time limit is tested
/// beside `App::blocking`, with work that surely outlasts it.)
#[test]
fn searches_beyond_the_in_flight_cap_get_503() {
    let env = indexed_env(3);
    let engine = Arc::new(dossier::Engine::new());
    let index = Arc::new(engine.open_live_index(&env.index(), Some(1)).unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = dossier::serve::ServeOptions {
        max_in_flight: 0,
        ..Default::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(async move {
        dossier::serve::serve(listener, engine, index, &options, async {
            let _ = stopped.await;
        })
        .await
    });
    let response = get(&format!("{base}/api/search?q=hackers"));
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(response.header("retry-after"), Some("1"));
    assert!(response.json()["error"].as_str().unwrap().contains("retry"));
    assert_eq!(get(&format!("{base}/healthz")).status, 200);
    let _ = stop.send(());
    runtime.block_on(server).unwrap().unwrap();
}

/// The page in Debian's Chromium, driven by playwright-core: search, click
/// a facet and a year, open an article and find its marks, go back. Needs
/// `chromium` and `npm ci` in tests/browser, which `.ci/run` installs.
#[test]
#[ignore = "needs Chromium and tests/browser/node_modules; .ci/run installs them"]
fn the_page_works_in_a_real_browser() {
    fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy_tree(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let env = TestEnv::new();
    copy_tree(&repo_file("corpus"), &env.corpus());
    env.index_corpus();
    let server = Server::start(&env, &["--quiet"]);
    let screenshots = repo_file("target/browser");
    std::fs::create_dir_all(&screenshots).unwrap();
    let output = Command::new("node")
        .arg(repo_file("tests/browser/page.test.mjs"))
        .arg(format!("{}/", server.base))
        .arg(&screenshots)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}\nserver:\n{}",
        server.log()
    );
    println!("{stdout}");
}
