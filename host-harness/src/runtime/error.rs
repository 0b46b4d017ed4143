//! Errors of a call into the plugin. A [`PluginFailure`] is data (the plugin's
//! own error, for the caller to act on); the other variants are the host's or
//! the sandbox's business: limits, traps, loading. A limit or a trap reads as
//! one line saying what happened and what to do; wasmtime's full report (the
//! wasm backtrace) is kept aside in a `detail` for whoever asks to see it.

use super::SandboxLimits;
use super::limiter::MemoryLimitReached;
use super::model::PluginError;
use std::fmt;
use std::time::Duration;
use thiserror::Error;
use wasmtime::Trap;

/// The plugin's own error (`plugin-error` in the contract).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFailure(pub PluginError);

impl PluginFailure {
    /// Whether trying again later may succeed (rate limits, transient failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0,
            PluginError::RateLimited { .. } | PluginError::Transient(_)
        )
    }

    /// The delay the API asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.0 {
            PluginError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Short name of the variant, as the contract spells it.
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }

    pub fn message(&self) -> &str {
        self.0.message()
    }
}

impl fmt::Display for PluginFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for PluginFailure {}

#[derive(Debug, Error)]
pub enum CallError {
    /// The plugin answered with an error.
    #[error(transparent)]
    Plugin(#[from] PluginFailure),
    /// The plugin went past one of the sandbox's limits. The message is one
    /// line saying which and what to raise; `detail` is wasmtime's full
    /// report, wasm backtrace included, for `--verbose`.
    #[error("{limit}")]
    Limit { limit: LimitHit, detail: String },
    /// The plugin trapped for any other reason: a bug in it.
    #[error("the plugin crashed ({summary}); run with --verbose for its wasm backtrace")]
    Trap { summary: String, detail: String },
    /// Setting the call up failed (instantiation, bad connection config).
    #[error("could not run the plugin: {0}")]
    Setup(String),
}

/// A sandbox limit a call went past, with what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    /// Its linear memory would have grown past the limit: most often a
    /// response too large to hold, or a page too big.
    Memory { limit_bytes: usize },
    /// It ran past its time limit (the epoch deadline, or the wall clock
    /// while it waited on the network).
    Time { limit: Duration },
    /// It used up its fuel.
    Fuel,
}

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory { limit_bytes } => {
                let mib = mebibytes(*limit_bytes);
                write!(
                    f,
                    "the plugin ran out of memory (its limit is {mib} MiB), most likely on a \
                     response too large to hold: raise --memory-mb (now {mib}), or lower the \
                     page size (--set page_size=N)"
                )
            }
            Self::Time { limit } => {
                let seconds = limit.as_secs_f64();
                write!(
                    f,
                    "the plugin call took longer than its limit of {seconds} s: raise \
                     --call-timeout (now {seconds})"
                )
            }
            Self::Fuel => write!(f, "the plugin used up its fuel (its CPU budget)"),
        }
    }
}

/// Bytes as MiB, whole when they are.
fn mebibytes(bytes: usize) -> String {
    if bytes.is_multiple_of(1 << 20) {
        (bytes >> 20).to_string()
    } else {
        format!("{:.2}", bytes as f64 / f64::from(1 << 20))
    }
}

impl CallError {
    pub fn as_plugin(&self) -> Option<&PluginFailure> {
        match self {
            Self::Plugin(p) => Some(p),
            _ => None,
        }
    }

    /// The full diagnostic behind a one-line message (wasmtime's report with
    /// the wasm backtrace), for `--verbose`; none for the plugin's own errors.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Limit { detail, .. } | Self::Trap { detail, .. } => Some(detail),
            Self::Plugin(_) | Self::Setup(_) => None,
        }
    }

    /// What a failed call into wasm was: a limit of `limits` (found from the
    /// typed error under wasmtime's context, never from its text), or a trap.
    /// `redact` cleans every text kept.
    pub fn from_wasm(
        error: &wasmtime::Error,
        limits: &SandboxLimits,
        redact: impl Fn(&str) -> String,
    ) -> Self {
        let detail = redact(&format!("{error:?}"));
        if let Some(limit) = limit_hit(error, limits) {
            return Self::Limit { limit, detail };
        }
        let summary = match error.downcast_ref::<Trap>() {
            Some(trap) => trap.to_string(),
            None => error.root_cause().to_string(),
        };
        let summary = redact(summary.lines().next().unwrap_or_default());
        Self::Trap { summary, detail }
    }

    /// An instance could not be set up: a memory limit too small to start
    /// in is a limit like any other; the rest is a setup failure.
    pub fn from_setup(
        error: &wasmtime::Error,
        limits: &SandboxLimits,
        redact: impl Fn(&str) -> String,
    ) -> Self {
        match limit_hit(error, limits) {
            Some(limit) => Self::Limit {
                limit,
                detail: redact(&format!("{error:?}")),
            },
            None => Self::Setup(redact(&format!("{error:#}"))),
        }
    }
}

fn limit_hit(error: &wasmtime::Error, limits: &SandboxLimits) -> Option<LimitHit> {
    if error.downcast_ref::<MemoryLimitReached>().is_some() {
        return Some(LimitHit::Memory {
            limit_bytes: limits.memory_bytes,
        });
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => Some(LimitHit::Time {
            limit: limits.call_timeout,
        }),
        Some(Trap::OutOfFuel) => Some(LimitHit::Fuel),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SandboxLimits {
        SandboxLimits {
            memory_bytes: 16 << 20,
            call_timeout: Duration::from_secs(30),
        }
    }

    fn classify(error: wasmtime::Error) -> CallError {
        CallError::from_wasm(&error, &limits(), |text| {
            text.replace("sk-secret", "[redacted]")
        })
    }

    #[test]
    fn a_memory_limit_is_one_line_saying_what_to_raise() {
        let error = wasmtime::Error::new(MemoryLimitReached {
            desired: 32 << 20,
            limit: 16 << 20,
        })
        .context("error while executing at wasm backtrace:\n    0: 0x1234 - plugin!alloc");
        let call = classify(error);
        assert_eq!(
            call.to_string(),
            "the plugin ran out of memory (its limit is 16 MiB), most likely on a response too \
             large to hold: raise --memory-mb (now 16), or lower the page size (--set page_size=N)"
        );
        assert!(call.detail().unwrap().contains("0x1234 - plugin!alloc"));
    }

    #[test]
    fn the_epoch_deadline_and_fuel_are_limits_too() {
        let call = classify(wasmtime::Error::new(Trap::Interrupt));
        assert_eq!(
            call.to_string(),
            "the plugin call took longer than its limit of 30 s: raise --call-timeout (now 30)"
        );
        assert!(matches!(
            classify(wasmtime::Error::new(Trap::OutOfFuel)),
            CallError::Limit {
                limit: LimitHit::Fuel,
                ..
            }
        ));
    }

    #[test]
    fn any_other_trap_is_a_crash_with_its_backtrace_kept_aside() {
        let error = wasmtime::Error::new(Trap::UnreachableCodeReached).context(
            "error while executing at wasm backtrace:\n    0: 0x99 - plugin!panic (sk-secret)",
        );
        let call = classify(error);
        let line = call.to_string();
        assert_eq!(
            line,
            "the plugin crashed (wasm trap: wasm `unreachable` instruction executed); run with \
             --verbose for its wasm backtrace"
        );
        let detail = call.detail().unwrap();
        assert!(
            detail.contains("0x99 - plugin!panic ([redacted])"),
            "{detail}"
        );
    }

    #[test]
    fn an_instance_too_big_for_its_memory_limit_says_so() {
        let error = wasmtime::Error::new(MemoryLimitReached {
            desired: 17 << 20,
            limit: 16 << 20,
        });
        assert!(matches!(
            CallError::from_setup(&error, &limits(), str::to_owned),
            CallError::Limit { .. }
        ));
        let other = wasmtime::Error::msg("missing import");
        assert_eq!(
            CallError::from_setup(&other, &limits(), str::to_owned).to_string(),
            "could not run the plugin: missing import"
        );
    }
}
