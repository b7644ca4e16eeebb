//! Shared test helpers: the binary with an isolated environment.

#![allow(dead_code)]

pub mod fixture;
pub mod moto;
pub mod proxy;

use std::path::PathBuf;

/// `idcsh` with HOME and XDG directories in a fresh temporary folder and
/// every AWS variable cleared, so tests see neither the machine's profiles
/// nor each other's files.
pub fn idcsh() -> assert_cmd::Command {
    idcsh_in(&scratch_home())
}

/// `idcsh` isolated in `home` (its AWS files are `home/aws-config` and
/// `home/aws-credentials`).
pub fn idcsh_in(home: &std::path::Path) -> assert_cmd::Command {
    let home = home.to_path_buf();
    let mut command = assert_cmd::Command::cargo_bin("idcsh").expect("idcsh binary");
    command.env_clear();
    command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command.env("HOME", &home);
    command.env("XDG_DATA_HOME", home.join("data"));
    command.env("XDG_CONFIG_HOME", home.join("config"));
    command.env("AWS_CONFIG_FILE", home.join("aws-config"));
    command.env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"));
    command.env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

/// The same isolated environment for a `std::process::Command` (pty tests).
pub fn isolate(command: &mut std::process::Command, home: &std::path::Path) {
    command.env_clear();
    command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command.env("HOME", home);
    command.env("TERM", "xterm");
    command.env("XDG_DATA_HOME", home.join("data"));
    command.env("XDG_CONFIG_HOME", home.join("config"));
    command.env("AWS_CONFIG_FILE", home.join("aws-config"));
    command.env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"));
    command.env("AWS_EC2_METADATA_DISABLED", "true");
}

/// A fresh folder that lives as long as the test process.
pub fn scratch_home() -> PathBuf {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    std::mem::forget(dir);
    path
}

/// Sets the modification time of every file under `dir` `back` into the
/// past (a disk cache written that long ago).
pub fn age_files(dir: &std::path::Path, back: std::time::Duration) {
    let when = std::time::SystemTime::now() - back;
    for entry in std::fs::read_dir(dir).expect("folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            age_files(&path, back);
        } else {
            let file = std::fs::File::options()
                .write(true)
                .open(&path)
                .expect("file");
            file.set_modified(when).expect("set the time");
        }
    }
}
