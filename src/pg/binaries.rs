//! Finding PostgreSQL's server binaries: `PATH`, then `pg_config --bindir`, then the newest
//! `/usr/lib/postgresql/*/bin` (Debian and Ubuntu keep them there, off the `PATH`).

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The three programs Mend needs; it depends on nothing else (no psql, no createdb).
#[derive(Debug, Clone)]
pub struct Binaries {
    pub initdb: PathBuf,
    pub pg_ctl: PathBuf,
    pub postgres: PathBuf,
}

impl Binaries {
    /// Another program of the same PostgreSQL installation (`pg_dump`, `pg_restore`), if it is
    /// there.
    pub fn sibling(&self, name: &str) -> Option<PathBuf> {
        let path = self.initdb.parent()?.join(name);
        is_executable(&path).then_some(path)
    }

    fn in_dir(dir: &Path) -> Option<Binaries> {
        let bins = Binaries {
            initdb: dir.join("initdb"),
            pg_ctl: dir.join("pg_ctl"),
            postgres: dir.join("postgres"),
        };
        [&bins.initdb, &bins.pg_ctl, &bins.postgres]
            .iter()
            .all(|p| is_executable(p))
            .then_some(bins)
    }
}

/// Where to look. The defaults read the environment; tests point it elsewhere.
#[derive(Debug, Clone)]
pub struct Locator {
    /// The `PATH` to search, if any.
    pub path: Option<OsString>,
    /// Where distributions install versioned PostgreSQL folders.
    pub versioned_root: PathBuf,
}

impl Default for Locator {
    fn default() -> Self {
        Locator {
            path: env::var_os("PATH"),
            versioned_root: env::var_os("MEND_PG_VERSIONS_ROOT")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql")),
        }
    }
}

impl Locator {
    /// A client program (`pg_dump`, `pg_restore`): beside the server binaries if they are
    /// found, else on the `PATH`, else in the newest versioned folder. A machine that only
    /// talks to a PostgreSQL server elsewhere needs just the client package.
    pub fn client_tool(&self, name: &str) -> Option<PathBuf> {
        if let Some(path) = self.find().and_then(|b| b.sibling(name)) {
            return Some(path);
        }
        if let Some(path) = self.path.as_ref().and_then(|p| {
            env::split_paths(p)
                .map(|d| d.join(name))
                .find(|p| is_executable(p))
        }) {
            return Some(path);
        }
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&self.versioned_root)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
            .filter(|p| is_executable(p))
            .collect();
        dirs.sort();
        dirs.pop()
    }

    /// The first folder that holds all three binaries, in the documented order.
    pub fn find(&self) -> Option<Binaries> {
        self.on_path()
            .or_else(|| self.via_pg_config())
            .or_else(|| self.newest_versioned())
    }

    fn on_path(&self) -> Option<Binaries> {
        let path = self.path.as_ref()?;
        env::split_paths(path).find_map(|dir| Binaries::in_dir(&dir))
    }

    fn via_pg_config(&self) -> Option<Binaries> {
        let path = self.path.as_ref()?;
        let pg_config = env::split_paths(path)
            .map(|dir| dir.join("pg_config"))
            .find(|p| is_executable(p))?;
        let out = Command::new(pg_config).arg("--bindir").output().ok()?;
        if !out.status.success() {
            return None;
        }
        let dir = String::from_utf8(out.stdout).ok()?;
        Binaries::in_dir(Path::new(dir.trim()))
    }

    fn newest_versioned(&self) -> Option<Binaries> {
        let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(&self.versioned_root)
            .ok()?
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let name = entry.file_name().into_string().ok()?;
                let version = name
                    .split('.')
                    .map(|part| part.parse::<u32>().ok())
                    .collect::<Option<Vec<u32>>>()?;
                Some((version, entry.path().join("bin")))
            })
            .collect();
        versions.sort();
        versions
            .iter()
            .rev()
            .find_map(|(_, dir)| Binaries::in_dir(dir))
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn fake_bin_dir(root: &Path, name: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = root.join(name).join("bin");
        fs::create_dir_all(&dir).expect("create fake bin dir");
        for prog in ["initdb", "pg_ctl", "postgres"] {
            let p = dir.join(prog);
            fs::write(&p, "#!/bin/sh\n").expect("write fake binary");
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        dir
    }

    #[test]
    fn nothing_found_when_no_folder_has_the_binaries() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let locator = Locator {
            path: Some(tmp.path().as_os_str().to_owned()),
            versioned_root: tmp.path().join("none"),
        };
        assert!(locator.find().is_none());
    }

    #[test]
    fn the_path_wins_over_versioned_folders() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let on_path = fake_bin_dir(tmp.path(), "onpath");
        fake_bin_dir(&tmp.path().join("versions"), "16");
        let locator = Locator {
            path: Some(on_path.as_os_str().to_owned()),
            versioned_root: tmp.path().join("versions"),
        };
        assert_eq!(
            locator.find().expect("found").initdb,
            on_path.join("initdb")
        );
    }

    #[test]
    fn the_newest_versioned_folder_is_chosen_numerically() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("versions");
        fake_bin_dir(&root, "9.6");
        fake_bin_dir(&root, "15");
        let newest = fake_bin_dir(&root, "16");
        fs::create_dir_all(root.join("not-a-version/bin")).expect("mkdir");
        let locator = Locator {
            path: None,
            versioned_root: root,
        };
        assert_eq!(locator.find().expect("found").pg_ctl, newest.join("pg_ctl"));
    }

    #[test]
    fn a_folder_missing_one_binary_is_skipped() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = fake_bin_dir(tmp.path(), "partial");
        fs::remove_file(dir.join("postgres")).expect("rm");
        let locator = Locator {
            path: Some(dir.as_os_str().to_owned()),
            versioned_root: tmp.path().join("none"),
        };
        assert!(locator.find().is_none());
    }
}
