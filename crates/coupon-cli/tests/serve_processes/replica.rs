//! One `coupon serve` child process: started on port 0, its address read from the first line
//! it prints, stopped by SIGTERM (as a service manager does) or killed by SIGKILL (a crash).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How a replica is started: its journal, its configuration file, and where its logs go.
pub struct Launch<'a> {
    /// `sqlite:PATH` or `postgres://…`.
    pub journal: &'a str,
    /// The sandbox's configuration.
    pub config: &'a Path,
    /// Where its stderr (JSON logs) is kept, for a failure's message.
    pub logs: PathBuf,
    /// Extra flags of `coupon serve`.
    pub flags: &'a [&'a str],
}

/// A running `coupon serve`.
pub struct Replica {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The address it listens on.
    pub addr: std::net::SocketAddr,
    logs: PathBuf,
}

impl Replica {
    /// Starts `coupon --config FILE serve --addr 127.0.0.1:0 --json --journal J FLAGS…` and waits for the
    /// line naming its address. The child sees none of the caller's `COUPON_*` variables.
    pub async fn start(launch: Launch<'_>) -> Replica {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_coupon"));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("COUPON_")) {
            cmd.env_remove(key);
        }
        let mut child = cmd
            .arg("--config")
            .arg(launch.config)
            .args(["serve", "--addr", "127.0.0.1:0", "--json", "--journal", launch.journal])
            .args(launch.flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&launch.logs).unwrap())
            .spawn()
            .expect("coupon serve starts");
        let stdout = child.stdout.take().unwrap();
        let logs = launch.logs.clone();
        // A thread reads the first line, then drains the rest so the child never blocks on a full pipe.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next().and_then(Result::ok));
            for _ in lines {}
        });
        let first = match tokio::time::timeout(Duration::from_secs(30), rx).await {
            Ok(Ok(Some(line))) => line,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("coupon serve printed no address:\n{}", std::fs::read_to_string(&logs).unwrap_or_default())
            }
        };
        let doc: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("not JSON ({e}): {first}"));
        let base = doc["listening"].as_str().unwrap_or_else(|| panic!("no `listening`: {doc}")).to_string();
        let addr = base.trim_start_matches("http://").parse().unwrap();
        Replica { child, base, addr, logs }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM: a service manager stopping it.
    pub fn terminate(&self) {
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
        assert!(sent.success(), "kill -TERM {}", self.pid());
    }

    /// Kills it with SIGKILL (a crash: nothing runs after), and reaps it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        self.child.wait().unwrap();
    }

    /// Waits at most `within` for it to exit.
    pub async fn exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "coupon serve did not exit within {within:?}:\n{}", self.logs());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// What it logged.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.logs).unwrap_or_default()
    }

    /// A counter of its `/metrics` (summed over its labels) whose line starts with `prefix`.
    pub async fn metric(&self, http: &reqwest::Client, prefix: &str) -> f64 {
        let text = http.get(format!("{}/metrics", self.base)).send().await.unwrap().text().await.unwrap();
        text.lines().filter(|l| l.starts_with(prefix)).filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok()).sum()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        // A test that failed halfway leaves no service running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
