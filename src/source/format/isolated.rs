//! Untrusted parsers in child processes: an [`Isolated`] reader hands each
//! file to a worker process (the same binary, started as `dossier
//! parse-worker`), under a time limit, an address-space limit and a cap on
//! what it may send back. A parser that hangs, aborts, overflows its stack
//! or runs out of memory costs one worker and one skipped file, never the
//! run. Workers are reused from file to file, one per indexing thread.
//!
//! The protocol is JSON lines: the parent writes one [`Job`]; the worker
//! answers with [`Reply`] lines, the last of which is `Done` or `Skip`.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ArticleProblem, Emit, Formats, Input, Reader, MAX_ARTICLE_BYTES};
use crate::model::Article;
use crate::source::SkipReason;

/// The subcommand that turns the binary into a worker.
pub const WORKER_SUBCOMMAND: &str = "parse-worker";

/// How a worker process is started and what it may use.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The program (a dossier binary) and the arguments that make it a
    /// worker.
    pub program: PathBuf,
    /// Arguments before nothing else: normally `[WORKER_SUBCOMMAND]`.
    pub args: Vec<String>,
    /// How long one file may take.
    pub timeout: Duration,
    /// The worker's address-space limit, in bytes (Unix only).
    pub memory_limit: u64,
    /// The most a worker may send back for one file.
    pub max_output: u64,
}

impl Isolation {
    /// Workers started from this very program, with the default limits:
    /// 30 s a file, 2 GiB of address space, four times the article limit
    /// of output.
    pub fn current_exe() -> io::Result<Isolation> {
        Ok(Isolation::program(std::env::current_exe()?))
    }

    /// Workers started from the dossier binary at `program`.
    pub fn program(program: PathBuf) -> Isolation {
        Isolation {
            program,
            args: vec![WORKER_SUBCOMMAND.to_string()],
            timeout: Duration::from_secs(30),
            memory_limit: 2 << 30,
            max_output: 4 * MAX_ARTICLE_BYTES,
        }
    }
}

/// What the parent asks of a worker.
#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    /// The reader, by [`Reader::name`].
    pub format: String,
    /// The file.
    pub path: PathBuf,
    /// Today, which bounds plausible dates.
    pub today: NaiveDate,
}

/// What a worker answers, one per line.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    /// One article read.
    Article(Article),
    /// One article of several could not be read.
    Problem {
        /// Where in the file.
        location: String,
        /// What is wrong.
        reason: String,
    },
    /// The file is read.
    Done,
    /// The file is unusable, for this reason.
    Skip(String),
}

/// A reader whose parsing runs in worker processes.
pub struct Isolated {
    inner: Box<dyn Reader>,
    isolation: Arc<Isolation>,
    idle: Mutex<Vec<Worker>>,
}

impl Isolated {
    /// Runs `inner`'s parsing in workers started as `isolation` says.
    pub fn new(inner: Box<dyn Reader>, isolation: Arc<Isolation>) -> Isolated {
        Isolated {
            inner,
            isolation,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn parser(&self) -> String {
        format!("{} parser", self.inner.name().to_uppercase())
    }

    fn take_worker(&self) -> Result<Worker, SkipReason> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(worker) => Ok(worker),
            None => Worker::start(&self.isolation).map_err(|e| {
                SkipReason::Unusable(format!(
                    "cannot start the {} process ({}): {e}",
                    self.parser(),
                    self.isolation.program.display()
                ))
            }),
        }
    }

    fn give_back(&self, worker: Worker) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(worker);
        }
    }
}

impl Reader for Isolated {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn extensions(&self) -> &'static [&'static str] {
        self.inner.extensions()
    }

    fn version(&self) -> u32 {
        self.inner.version()
    }

    fn accepts(&self, head: &[u8]) -> bool {
        self.inner.accepts(head)
    }

    /// Already isolated: isolating these formats again wraps it no further.
    fn untrusted(&self) -> bool {
        false
    }

    fn read(&self, input: &Input<'_>, emit: &mut Emit<'_>) -> Result<(), SkipReason> {
        let path = std::path::absolute(input.path).unwrap_or_else(|_| input.path.to_path_buf());
        let job = Job {
            format: self.inner.name().to_string(),
            path,
            today: input.today,
        };
        let mut worker = self.take_worker()?;
        let mut result = worker.run(&job, &self.isolation, emit);
        if matches!(result, Err(Failure::Gone)) {
            // An idle worker that ended meanwhile (its parent thread went,
            // or something killed it) had not started on the file: one
            // fresh worker tries again.
            drop(worker);
            worker = Worker::start(&self.isolation).map_err(|e| {
                SkipReason::Unusable(format!("cannot start the {} process: {e}", self.parser()))
            })?;
            result = worker.run(&job, &self.isolation, emit);
        }
        match result {
            Ok(outcome) => {
                self.give_back(worker);
                outcome
            }
            Err(failure) => {
                let status = worker.kill();
                Err(SkipReason::Unusable(failure.describe(
                    &self.parser(),
                    &self.isolation,
                    status,
                )))
            }
        }
    }
}

/// Why a worker had to be given up.
enum Failure {
    TimedOut,
    TooMuchOutput,
    /// It ended or closed its output without finishing.
    Died,
    /// It could not be handed the job: it had ended before.
    Gone,
    /// It could not be written to, or sent what is not a reply.
    Protocol(String),
}

impl Failure {
    fn describe(&self, parser: &str, isolation: &Isolation, status: Option<ExitStatus>) -> String {
        match self {
            Failure::TimedOut => format!(
                "{parser} timed out after {} s (a malformed file, or raise --parse-timeout)",
                isolation.timeout.as_secs_f64()
            ),
            Failure::TooMuchOutput => format!(
                "{parser} produced more than {} MB of text; left out",
                isolation.max_output / 1_000_000
            ),
            Failure::Died | Failure::Gone => {
                format!("{parser} crashed ({})", describe_exit(status))
            }
            Failure::Protocol(what) => format!("{parser} failed: {what}"),
        }
    }
}

fn describe_exit(status: Option<ExitStatus>) -> String {
    let Some(status) = status else {
        return "no exit status".to_string();
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                libc::SIGABRT => ", SIGABRT, an abort or a lack of memory or stack",
                libc::SIGSEGV => ", SIGSEGV, a bad memory access or a stack overflow",
                libc::SIGKILL => ", SIGKILL",
                libc::SIGBUS => ", SIGBUS",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => "no exit status".to_string(),
    }
}

/// One worker process, and the thread that reads its replies.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<io::Result<Vec<u8>>>,
}

impl Worker {
    fn start(isolation: &Isolation) -> io::Result<Worker> {
        let mut child = Command::new(&isolation.program)
            .args(&isolation.args)
            .env(MEMORY_LIMIT_VAR, isolation.memory_limit.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("no pipes to the worker"));
        };
        let (send, lines) = mpsc::sync_channel(64);
        // A line longer than the output cap is cut there; the parent then
        // sees too much output and gives the worker up.
        let max_line = isolation.max_output + 1;
        std::thread::Builder::new()
            .name("dossier-worker-reader".to_string())
            .spawn(move || {
                let mut stdout = BufReader::new(stdout);
                loop {
                    let mut line = Vec::new();
                    match stdout.by_ref().take(max_line).read_until(b'\n', &mut line) {
                        Ok(0) => return,
                        Ok(_) => {
                            if send.send(Ok(line)).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = send.send(Err(e));
                            return;
                        }
                    }
                }
            })?;
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    /// Runs one job: the file's outcome, or why the worker must go.
    fn run(
        &mut self,
        job: &Job,
        isolation: &Isolation,
        emit: &mut Emit<'_>,
    ) -> Result<Result<(), SkipReason>, Failure> {
        let mut request = serde_json::to_vec(job).map_err(|e| Failure::Protocol(e.to_string()))?;
        request.push(b'\n');
        self.stdin
            .write_all(&request)
            .and_then(|()| self.stdin.flush())
            .map_err(|_| Failure::Gone)?;
        let deadline = Instant::now() + isolation.timeout;
        let mut received = 0u64;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(Ok(line)) => line,
                Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => return Err(Failure::Died),
                Err(RecvTimeoutError::Timeout) => return Err(Failure::TimedOut),
            };
            received += line.len() as u64;
            if received > isolation.max_output {
                return Err(Failure::TooMuchOutput);
            }
            if !line.ends_with(b"\n") {
                // Cut short: the worker died mid-line.
                return Err(Failure::Died);
            }
            let reply: Reply = serde_json::from_slice(&line)
                .map_err(|e| Failure::Protocol(format!("unreadable reply: {e}")))?;
            match reply {
                Reply::Article(article) => emit(Ok(article)),
                Reply::Problem { location, reason } => {
                    emit(Err(ArticleProblem { location, reason }))
                }
                Reply::Done => return Ok(Ok(())),
                Reply::Skip(reason) => return Ok(Err(SkipReason::Unusable(reason))),
            }
        }
    }

    /// Ends the worker; its exit status, if it had one.
    fn kill(mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        // A worker that just died may not be reaped yet: a moment's grace
        // tells a crash from a kill.
        std::thread::sleep(Duration::from_millis(20));
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin ends an idle worker; one still busy is killed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The variable through which a worker learns its memory limit.
const MEMORY_LIMIT_VAR: &str = "DOSSIER_WORKER_MEMORY_LIMIT";

/// Test hooks: a worker asked to read a file whose name contains the value
/// of one of these variables hangs, or aborts, instead, so tests can show
/// that neither takes the run down.
const HANG_HOOK_VAR: &str = "DOSSIER_TEST_WORKER_HANG";
const ABORT_HOOK_VAR: &str = "DOSSIER_TEST_WORKER_ABORT";

/// The worker's side: reads jobs from stdin until it closes, parsing each
/// with the in-process reader of its format from `formats`, and answers on
/// stdout.
pub fn worker_main(formats: &Formats) -> io::Result<()> {
    limit_memory();
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with these arguments only sets a flag of this process.
    // A worker whose parent is gone (killed mid-run) is killed too, even
    // while a parser spins.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    let stdin = io::stdin().lock();
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let hang = std::env::var_os(HANG_HOOK_VAR);
    let abort = std::env::var_os(ABORT_HOOK_VAR);
    let hooked = |hook: &Option<std::ffi::OsString>, path: &Path| {
        hook.as_ref()
            .and_then(|h| h.to_str())
            .is_some_and(|h| !h.is_empty() && path.to_string_lossy().contains(h))
    };
    for line in stdin.lines() {
        let line = line?;
        let job: Job = match serde_json::from_str(&line) {
            Ok(job) => job,
            Err(e) => {
                write_reply(&mut stdout, &Reply::Skip(format!("bad job: {e}")))?;
                continue;
            }
        };
        if hooked(&hang, &job.path) {
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        if hooked(&abort, &job.path) {
            std::process::abort();
        }
        let Some(reader) = formats.named(&job.format) else {
            write_reply(
                &mut stdout,
                &Reply::Skip(format!("no reader for the format {:?}", job.format)),
            )?;
            continue;
        };
        let input = Input {
            path: &job.path,
            today: job.today,
        };
        let mut write_error = None;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.read(&input, &mut |article| {
                let reply = match article {
                    Ok(article) => Reply::Article(article),
                    Err(ArticleProblem { location, reason }) => Reply::Problem { location, reason },
                };
                if write_error.is_none() {
                    write_error = write_reply(&mut stdout, &reply).err();
                }
            })
        }));
        if let Some(e) = write_error {
            return Err(e);
        }
        let last = match outcome {
            Ok(Ok(())) => Reply::Done,
            Ok(Err(reason)) => Reply::Skip(reason.to_string()),
            Err(panic) => Reply::Skip(format!(
                "{} parser failed: {}",
                job.format.to_uppercase(),
                panic_message(&panic)
            )),
        };
        write_reply(&mut stdout, &last)?;
        stdout.flush()?;
    }
    Ok(())
}

fn write_reply(out: &mut impl Write, reply: &Reply) -> io::Result<()> {
    serde_json::to_writer(&mut *out, reply).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// The text of a panic's payload.
pub fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "it panicked".to_string())
}

/// Caps the worker's address space at what its parent allows, so a parser
/// that allocates without end fails here, not in the machine's memory.
fn limit_memory() {
    let Some(limit) = std::env::var(MEMORY_LIMIT_VAR)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    #[cfg(unix)]
    {
        let limit = libc::rlimit {
            rlim_cur: limit as libc::rlim_t,
            rlim_max: limit as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct it is given and nothing else.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &limit);
        }
    }
    #[cfg(not(unix))]
    let _ = limit;
}
