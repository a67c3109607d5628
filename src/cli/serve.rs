//! `dossier serve`: opens the index live, warns when the address is not
//! loopback, and serves the API and the page until Ctrl-C or SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use axum::http::HeaderValue;

use super::search::open_or_build_default;
use super::{FlagError, ServeArgs};
use crate::serve::{self, ServeOptions};
use crate::{exit, Engine};

/// Runs `dossier serve`.
pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let cors_origin = args.cors.as_deref().map(cors_origin).transpose()?;
    let engine = Arc::new(Engine::new());
    let index = Arc::new(open_or_build_default(
        &engine,
        &args.index,
        args.threads,
        true,
    )?);
    // The article view extracts again; building the extractor takes a
    // moment, better spent now than on the first reader's click.
    let warm = Arc::clone(&engine);
    std::thread::spawn(move || {
        warm.extractor();
    });
    let options = ServeOptions {
        max_in_flight: args.max_in_flight as usize,
        time_limit: Duration::from_secs_f64(args.time_limit),
        cors_origin,
        log_requests: !args.quiet,
    };
    // Searches are CPU-bound: more threads than a few per core only add
    // stacks and allocator arenas; a search beyond them waits its turn
    // (still under the in-flight cap and the time limit).
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads((2 * cores).max(4))
        .thread_name("dossier-http")
        .build()
        .context("cannot start the server's threads")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| FlagError(format!("cannot listen on {}: {e}; pick another --addr (port 0 picks a free one)", args.addr)))?;
        let addr = listener.local_addr()?;
        if serve::is_exposed(&addr) {
            eprintln!(
                "dossier: warning: {addr} is not a loopback address: anyone who can reach this machine can read the whole index (dossier serve has no authentication); put it behind a reverse proxy that authenticates, or listen on 127.0.0.1"
            );
        }
        eprintln!(
            "dossier: serving {} ({} articles) at http://{addr}/ (Ctrl-C stops)",
            args.index.display(),
            index.searcher().num_docs()
        );
        serve::serve(listener, engine, index, &options, serve::shutdown_signal()).await?;
        eprintln!("dossier: stopped");
        anyhow::Ok(())
    })?;
    Ok(exit::SUCCESS.into())
}

/// The origin `--cors` names (`https://intel.example.org`, a port allowed,
/// no path), as a header value.
fn cors_origin(flag: &str) -> Result<HeaderValue, FlagError> {
    let origin = flag.trim_end_matches('/');
    let host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ']) => {
            HeaderValue::from_str(origin).map_err(|_| not_an_origin(flag))
        }
        _ => Err(not_an_origin(flag)),
    }
}

fn not_an_origin(flag: &str) -> FlagError {
    FlagError(format!(
        "--cors {flag:?} is not an origin; give a scheme and host, like https://intel.example.org"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_takes_an_origin_and_nothing_else() {
        for good in ["https://intel.example.org", "http://localhost:8080/"] {
            assert!(cors_origin(good).is_ok(), "{good}");
        }
        assert_eq!(
            cors_origin("http://localhost:8080/").unwrap(),
            "http://localhost:8080"
        );
        for bad in [
            "intel.example.org",
            "https://",
            "https://a.org/path",
            "ftp://a.org",
            "*",
        ] {
            let error = cors_origin(bad).unwrap_err();
            assert!(error.0.starts_with("--cors"), "{bad}: {}", error.0);
        }
    }
}
