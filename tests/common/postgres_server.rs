//! A throwaway PostgreSQL server for tests and benchmarks: a new cluster
//! (`initdb`) in a temporary folder, started with `pg_ctl` on a free loopback
//! port, one per process, and stopped and removed once the process that
//! started it ends. Each caller takes a schema of its own in it.
//!
//! The binaries come from `PG_BIN` if set, else Debian's
//! `/usr/lib/postgresql/<version>/bin`, else `PATH`; `.ci/run` installs them.
//! PostgreSQL refuses to run as root, so as root the server runs as the
//! `postgres` user the package creates.

#![allow(dead_code)]

use host_harness::destinations::PostgresLocation;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct PostgresServer {
    pub port: u16,
    data: PathBuf,
    bin: PathBuf,
}

impl PostgresServer {
    /// The URL of the server's `postgres` database, as `--into` takes it.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The server's log, for a failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
    }
}

/// A schema of the process's server that no other caller uses (created by
/// the first sync into it).
pub struct PgSchema {
    schema: String,
}

impl PgSchema {
    pub fn fresh(purpose: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        Self {
            schema: format!("{purpose}_{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        }
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    pub fn url(&self) -> String {
        server().url()
    }

    pub fn location(&self) -> PostgresLocation {
        PostgresLocation::parse(&self.url(), &self.schema).unwrap()
    }

    /// Every row of `sql` (run with the schema first on the search path),
    /// each column as text, NULL as None; panics with the server's message.
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        const NULL: &str = "\u{1}";
        let server = server();
        let output = Command::new(server.bin.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args([
                "-F",
                "\u{1f}",
                "-R",
                "\u{1e}",
                "-P",
                &format!("null={NULL}"),
            ])
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &server.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-d", "postgres", "-c", sql])
            .env("PGOPTIONS", format!("-c search_path={}", self.schema))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if text.is_empty() {
            return Vec::new();
        }
        text.split('\u{1e}')
            .map(|row| {
                row.split('\u{1f}')
                    .map(|cell| (cell != NULL).then(|| cell.to_owned()))
                    .collect()
            })
            .collect()
    }
}

/// The process's server, started on first use.
pub fn server() -> &'static PostgresServer {
    static SERVER: OnceLock<PostgresServer> = OnceLock::new();
    SERVER.get_or_init(|| start(false))
}

/// Start a server of the caller's own. A `durable` one syncs its log to disk
/// as a production server does (for benchmarks); otherwise it skips that
/// (for tests, which throw it away).
pub fn start(durable: bool) -> PostgresServer {
    start_with(durable, None)
}

/// A server that takes TLS connections only, with this certificate and key
/// (PEM), refusing plain ones.
pub fn start_tls(cert_pem: &str, key_pem: &str) -> PostgresServer {
    start_with(false, Some((cert_pem, key_pem)))
}

fn start_with(durable: bool, tls: Option<(&str, &str)>) -> PostgresServer {
    let bin = binaries().unwrap_or_else(|| {
        panic!(
            "PostgreSQL's server binaries (initdb, pg_ctl) were not found: install Debian's \
             `postgresql` package (.ci/run does) or point PG_BIN at their folder"
        )
    });
    let folder = tempfile::Builder::new()
        .prefix("connector-pg-")
        .tempdir()
        .unwrap()
        .keep();
    let data = folder.join("data");
    std::fs::create_dir(&data).unwrap();
    let as_postgres = is_root();
    if as_postgres {
        give_to_postgres(&folder);
        give_to_postgres(&data);
    }
    let port = free_port();
    run(
        as_postgres,
        Command::new(bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "-D",
            ])
            .arg(&data),
    );
    let mut options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1",
        data.display()
    );
    if let Some((cert, key)) = tls {
        for (name, text) in [("server.crt", cert), ("server.key", key)] {
            let path = data.join(name);
            std::fs::write(&path, text).unwrap();
            // The server refuses a key others may read.
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                .unwrap();
            if as_postgres {
                give_to_postgres(&path);
            }
        }
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
        )
        .unwrap();
        options.push_str(" -c ssl=on");
    }
    if !durable {
        options.push_str(" -c fsync=off -c full_page_writes=off");
    }
    run(
        as_postgres,
        Command::new(bin.join("pg_ctl"))
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(data.join("server.log"))
            .arg("start"),
    );
    stop_when_process_ends(&bin, &folder, &data, as_postgres);
    PostgresServer { port, data, bin }
}

fn binaries() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("PG_BIN") {
        return Some(PathBuf::from(bin));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(newest) = versions.pop() {
        return Some(newest);
    }
    let found = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .ok()?;
    let path = String::from_utf8(found.stdout).ok()?;
    Path::new(path.trim()).parent().map(Path::to_path_buf)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn give_to_postgres(path: &Path) {
    let status = Command::new("chown")
        .arg("postgres:postgres")
        .arg(path)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "chown postgres {} failed: as root, the test server runs as the `postgres` user",
        path.display()
    );
}

/// Run `command`, as the `postgres` user if asked, and require success.
fn run(as_postgres: bool, command: &mut Command) {
    let mut command = if as_postgres {
        let mut wrapped = Command::new("runuser");
        wrapped
            .args(["-u", "postgres", "--"])
            .arg(command.get_program())
            .args(command.get_args());
        wrapped
    } else {
        std::mem::replace(command, Command::new("true"))
    };
    let output = command.stdin(Stdio::null()).output().unwrap();
    assert!(
        output.status.success(),
        "{:?} failed: {}{}",
        command,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A watcher that outlives this process: once it is gone, stop the server
/// and remove its folder (a test process has no hook that runs at its end).
fn stop_when_process_ends(bin: &Path, folder: &Path, data: &Path, as_postgres: bool) {
    let stop = format!(
        "{}{} -D {} stop -m immediate",
        if as_postgres {
            "runuser -u postgres -- "
        } else {
            ""
        },
        bin.join("pg_ctl").display(),
        data.display()
    );
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {folder}",
        pid = std::process::id(),
        folder = folder.display(),
    );
    // Never waited for: it must outlive this process to do its work.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
}
