//! moto's server mode from the repo's `.venv`, one per test binary, on a
//! free 127.0.0.1 port. A watcher shell ends it when the test process ends.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The running moto server's base URL.
pub fn endpoint() -> &'static str {
    static SERVER: OnceLock<(String, Mutex<Child>)> = OnceLock::new();
    &SERVER.get_or_init(start).0
}

fn start() -> (String, Mutex<Child>) {
    let server = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        server.exists(),
        "{} is missing: run scripts/test.sh (it installs moto into .venv)",
        server.display()
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    // The shell waits for this test process to end, then stops moto.
    let watcher = r#"parent=$1; shift; "$@" & child=$!
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
        kill "$child" 2>/dev/null"#;
    let watcher = Command::new("sh")
        .args(["-c", watcher, "sh", &std::process::id().to_string()])
        .arg(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (format!("http://127.0.0.1:{port}"), Mutex::new(watcher))
}
