//! The folder an export writes into: its files, their sizes, and the
//! manifest (`dossier-export.json`) that says what an export wrote, so that
//! the next export into the same folder replaces exactly those files and
//! never touches anything else a user keeps there.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ExportError;

/// The manifest's file name.
pub const MANIFEST: &str = "dossier-export.json";

/// One file an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenFile {
    /// Its name in the export folder.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Articles it holds (0 for a configuration or mapping).
    pub articles: u64,
}

/// What the manifest records: enough to clean up after the export, and to
/// tell a reader what the folder holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// `false` while the export runs: a folder left so was interrupted.
    pub complete: bool,
    /// The export format.
    pub format: String,
    /// The dossier version that wrote it.
    pub dossier_version: String,
    /// The files written, in order.
    pub files: Vec<WrittenFile>,
    /// Anything else worth keeping (the request, counts).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

/// The export folder, while an export writes into it.
pub struct ExportFolder {
    dir: PathBuf,
    files: Vec<WrittenFile>,
    format: String,
}

/// A file being written: counts its bytes and articles.
pub struct OutFile {
    out: BufWriter<File>,
    path: PathBuf,
    name: String,
    /// Bytes written so far.
    pub bytes: u64,
    /// Articles written so far.
    pub articles: u64,
}

impl ExportFolder {
    /// Prepares `dir`: creates it if missing; if it holds an earlier
    /// export's manifest, removes the files that export wrote; refuses a
    /// folder holding anything else.
    pub fn prepare(dir: &Path, format: &str) -> Result<ExportFolder, ExportError> {
        let io = |source| ExportError::Io {
            path: dir.to_path_buf(),
            source,
        };
        fs::create_dir_all(dir).map_err(io)?;
        let manifest = dir.join(MANIFEST);
        let earlier: Vec<String> = if manifest.exists() {
            let earlier: Manifest = fs::read(&manifest).map_err(io).and_then(|bytes| {
                serde_json::from_slice(&bytes).map_err(|e| ExportError::NotAnExportFolder {
                    dir: dir.to_path_buf(),
                    why: format!("its {MANIFEST} is unreadable ({e})"),
                })
            })?;
            // Names are checked so that a doctored manifest cannot reach
            // outside the folder.
            earlier
                .files
                .into_iter()
                .map(|f| f.name)
                .filter(|name| is_plain_name(name))
                .collect()
        } else {
            Vec::new()
        };
        // Everything is checked before anything is removed: a folder that
        // also holds the user's files keeps the earlier export too.
        let leftover = fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .find(|name| !name.starts_with('.') && name != MANIFEST && !earlier.contains(name));
        if let Some(name) = leftover {
            return Err(ExportError::NotAnExportFolder {
                dir: dir.to_path_buf(),
                why: format!("it holds {name}, which no earlier export wrote"),
            });
        }
        for name in &earlier {
            match fs::remove_file(dir.join(name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io(e)),
                _ => {}
            }
        }
        let folder = ExportFolder {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            format: format.to_string(),
        };
        folder.write_manifest(false, serde_json::Value::Null)?;
        Ok(folder)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the file `name` in the folder. Its name is recorded before
    /// anything is written to it, so an interrupted export is cleaned up
    /// by the next.
    pub fn create(&mut self, name: &str) -> Result<OutFile, ExportError> {
        self.files.push(WrittenFile {
            name: name.to_string(),
            bytes: 0,
            articles: 0,
        });
        self.write_manifest(false, serde_json::Value::Null)?;
        let path = self.dir.join(name);
        let file = File::create(&path).map_err(|source| ExportError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(OutFile {
            out: BufWriter::with_capacity(1 << 20, file),
            path,
            name: name.to_string(),
            bytes: 0,
            articles: 0,
        })
    }

    /// Writes a whole small file (a configuration, a mapping).
    pub fn write_whole(&mut self, name: &str, contents: &[u8]) -> Result<(), ExportError> {
        let mut file = self.create(name)?;
        file.write(contents)?;
        self.close(file)
    }

    /// Flushes `file` to disk and records its size.
    pub fn close(&mut self, file: OutFile) -> Result<(), ExportError> {
        let OutFile {
            out,
            path,
            name,
            bytes,
            articles,
        } = file;
        let io = |source| ExportError::Io {
            path: path.clone(),
            source,
        };
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        if let Some(entry) = self.files.iter_mut().rev().find(|f| f.name == name) {
            entry.bytes = bytes;
            entry.articles = articles;
        }
        Ok(())
    }

    /// Records the export as complete, with `details`; returns the files.
    pub fn finish(self, details: serde_json::Value) -> Result<Vec<WrittenFile>, ExportError> {
        self.write_manifest(true, details)?;
        Ok(self.files)
    }

    fn write_manifest(
        &self,
        complete: bool,
        details: serde_json::Value,
    ) -> Result<(), ExportError> {
        let manifest = Manifest {
            complete,
            format: self.format.clone(),
            dossier_version: env!("CARGO_PKG_VERSION").to_string(),
            files: self.files.clone(),
            details,
        };
        let path = self.dir.join(MANIFEST);
        let temporary = self.dir.join(format!(".{MANIFEST}.tmp"));
        let io = |source| ExportError::Io {
            path: path.clone(),
            source,
        };
        // Serialising strings and numbers cannot fail.
        let bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        fs::write(&temporary, bytes).map_err(io)?;
        fs::rename(&temporary, &path).map_err(io)
    }
}

impl OutFile {
    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        self.out
            .write_all(bytes)
            .map_err(|source| ExportError::Io {
                path: self.path.clone(),
                source,
            })?;
        self.bytes += bytes.len() as u64;
        Ok(())
    }
}

/// A file name with no folder in it.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && Path::new(name).file_name().is_some_and(|n| n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_export_replaces_the_first_s_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut folder = ExportFolder::prepare(&out, "ndjson").unwrap();
        folder.write_whole("a.ndjson", b"{}\n").unwrap();
        folder.write_whole("b.ndjson", b"{}\n").unwrap();
        let files = folder.finish(serde_json::Value::Null).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].bytes, 3);

        let folder = ExportFolder::prepare(&out, "ndjson").unwrap();
        assert!(!out.join("a.ndjson").exists() && !out.join("b.ndjson").exists());
        folder.finish(serde_json::Value::Null).unwrap();

        let mut folder = ExportFolder::prepare(&out, "ndjson").unwrap();
        folder.write_whole("c.ndjson", b"{}\n").unwrap();
        folder.finish(serde_json::Value::Null).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let refused = ExportFolder::prepare(&out, "ndjson").err().unwrap();
        assert!(refused.to_string().contains("notes.txt"), "{refused}");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert!(out.join("c.ndjson").exists(), "the earlier export is kept");
    }

    #[test]
    fn an_interrupted_export_is_cleaned_up_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut folder = ExportFolder::prepare(dir.path(), "stix").unwrap();
        let mut file = folder.create("bundle-00001.json").unwrap();
        file.write(b"{\"type\": \"bun").unwrap();
        drop(file);
        drop(folder);
        let manifest: Manifest =
            serde_json::from_slice(&fs::read(dir.path().join(MANIFEST)).unwrap()).unwrap();
        assert!(!manifest.complete);
        ExportFolder::prepare(dir.path(), "stix").unwrap();
        assert!(!dir.path().join("bundle-00001.json").exists());
    }

    #[test]
    fn a_manifest_cannot_name_files_outside_the_folder() {
        for name in ["../x", "/etc/passwd", "a/b", "..", "", "c\\d"] {
            assert!(!is_plain_name(name), "{name}");
        }
        assert!(is_plain_name("bulk-00001.ndjson"));
    }
}
