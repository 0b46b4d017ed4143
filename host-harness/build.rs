//! Builds the connector component (the guest crate at the workspace root) for
//! `wasm32-wasip2`, so `cargo build` / `cargo test` on a fresh clone always
//! embed a component built from the current sources: no manual pre-build, no
//! stale `.wasm` picked up by accident. The same build makes the test-only
//! hostile plugin (`tests/plugins/hostile`), whose path the tests read from
//! `HOSTILE_PLUGIN_WASM`; it is never embedded in the harness.
//!
//! The guest gets its own target dir (sharing the outer one would wait forever
//! on cargo's lock), its own size-optimised profile (`guest-release`), and an
//! environment cleared of what the outer build leaks (flags, wrappers, cfgs).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const GUEST_PACKAGE: &str = "anthropic-connector";
const GUEST_ARTIFACT: &str = "anthropic_connector.wasm";
const HOSTILE_PACKAGE: &str = "hostile-plugin";
const HOSTILE_ARTIFACT: &str = "hostile_plugin.wasm";
const TARGET: &str = "wasm32-wasip2";
const PROFILE: &str = "guest-release";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir
        .parent()
        .expect("host-harness sits in the workspace")
        .to_path_buf();
    for watched in [
        "src",
        "redaction",
        "wit",
        "tests/plugins/hostile",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    ensure_target_installed();

    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| if d.is_absolute() { d } else { root.join(d) })
        .unwrap_or_else(|| root.join("target"))
        .join("guest");

    let mut command = Command::new(&cargo);
    command
        .current_dir(&root)
        .args([
            "build",
            "--lib",
            "-p",
            GUEST_PACKAGE,
            "-p",
            HOSTILE_PACKAGE,
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    clear_outer_build_env(&mut command);
    let status = command.status().unwrap_or_else(|e| {
        panic!("could not run `{cargo}` to build the connector component: {e}")
    });
    if !status.success() {
        panic!("building the components for {TARGET} failed (see the errors above)");
    }

    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let built = target_dir.join(TARGET).join(PROFILE);
    for (artifact, copy, variable) in [
        (GUEST_ARTIFACT, "connector.wasm", "CONNECTOR_WASM"),
        (
            HOSTILE_ARTIFACT,
            "hostile-plugin.wasm",
            "HOSTILE_PLUGIN_WASM",
        ),
    ] {
        let from = built.join(artifact);
        let to = out_dir.join(copy);
        std::fs::copy(&from, &to)
            .unwrap_or_else(|e| panic!("could not copy {}: {e}", from.display()));
        println!("cargo:rustc-env={variable}={}", to.display());
    }
}

/// rustup here installs nothing by itself: add the wasm target when it is missing.
fn ensure_target_installed() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = |root: &Path| root.join("lib/rustlib").join(TARGET).exists();
    if sysroot.as_deref().is_some_and(installed) {
        return;
    }
    let mut add = Command::new("rustup");
    add.args(["target", "add", TARGET]);
    if let Ok(toolchain) = env::var("RUSTUP_TOOLCHAIN") {
        add.args(["--toolchain", &toolchain]);
    }
    match add.status() {
        Ok(s) if s.success() => {}
        _ => panic!(
            "the Rust target {TARGET} is missing and `rustup target add {TARGET}` failed; \
             install it, then build again"
        ),
    }
}

fn clear_outer_build_env(command: &mut Command) {
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let leaks = key.starts_with("CARGO_CFG_")
            || key.starts_with("CARGO_FEATURE_")
            || matches!(
                key.as_str(),
                "CARGO_ENCODED_RUSTFLAGS"
                    | "RUSTFLAGS"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "CARGO_TARGET_DIR"
                    | "CARGO_BUILD_TARGET"
                    | "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "TARGET"
                    | "HOST"
                    | "OUT_DIR"
                    | "PROFILE"
                    | "OPT_LEVEL"
                    | "DEBUG"
            );
        if leaks {
            command.env_remove(&key);
        }
    }
}
