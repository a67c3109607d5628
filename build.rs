//! Links the `dossier` binary as a position-dependent executable on Linux.
//!
//! A position-independent one is relocated by the dynamic loader at every
//! start: about 33,000 pointers in 750 KB of tables, each page written and
//! so copied, which cost 1.1 ms of the 3 ms that `dossier --version` took on
//! the development machine (BENCHMARKS.md, "Whole-command latency"), more
//! than the `sqlite3` command-line tool needs to start. Linked at a fixed
//! address, the same code needs about a hundred relocations. The cost is
//! address-space layout randomisation of the binary itself (its libraries
//! and heap are still randomised), as in Go's default Linux builds. The
//! library and the tests are unaffected.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=dossier=-no-pie");
    }
}
