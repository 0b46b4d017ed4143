//! The Airbyte protocol's messages, as this source writes them on stdout:
//! one JSON object per line (SPEC, CONNECTION_STATUS, CATALOG, RECORD,
//! STATE, LOG, TRACE). Records are written as the plugin returned them,
//! never parsed into a tree and written again.

use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Milliseconds since the epoch, as the protocol stamps messages.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Where protocol messages go: one line each, whole, in order, from any
/// task. Only messages go to stdout; anything else would break the reader.
#[derive(Clone)]
pub struct Emitter {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl Emitter {
    pub fn stdout() -> Self {
        Self::to(Box::new(std::io::stdout()))
    }

    pub fn to(out: Box<dyn Write + Send>) -> Self {
        Self {
            out: Arc::new(Mutex::new(out)),
        }
    }

    /// Write one message line.
    pub fn emit(&self, message: &Value) {
        self.line(&message.to_string());
    }

    fn line(&self, line: &str) {
        let mut out = self.out.lock().expect("airbyte output");
        // A reader that went away ends the process's purpose: nothing to do.
        let _ = writeln!(out, "{line}");
    }

    /// Make everything written so far visible to the reader.
    pub fn flush(&self) {
        let _ = self.out.lock().expect("airbyte output").flush();
    }

    /// A RECORD of `stream` whose data is `record`, the text of a JSON
    /// object the caller has checked, as is.
    pub fn record(&self, stream: &str, record: &str, emitted_at: i64) {
        let stream = Value::String(stream.to_owned());
        self.line(&format!(
            "{{\"type\":\"RECORD\",\"record\":{{\"stream\":{stream},\"data\":{record},\"emitted_at\":{emitted_at}}}}}"
        ));
    }

    /// A per-stream STATE: what a later `read --state` resumes from.
    pub fn state(&self, stream: &str, stream_state: Value, records: u64) {
        self.emit(&json!({
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {
                    "stream_descriptor": {"name": stream},
                    "stream_state": stream_state,
                },
                "sourceStats": {"recordCount": records as f64},
            }
        }));
        self.flush();
    }

    pub fn log(&self, level: &str, message: &str) {
        self.emit(&json!({"type": "LOG", "log": {"level": level, "message": message}}));
    }

    /// A TRACE error: what failed (for a stream, or the whole command), in
    /// the user's words and with the full diagnostic.
    pub fn error(&self, stream: Option<&str>, message: &str, detail: &str, config: bool) {
        let mut error = json!({
            "message": message,
            "internal_message": detail,
            "failure_type": if config { "config_error" } else { "system_error" },
        });
        if let Some(stream) = stream {
            error["stream_descriptor"] = json!({"name": stream});
        }
        self.emit(&json!({
            "type": "TRACE",
            "trace": {"type": "ERROR", "emitted_at": now_ms() as f64, "error": error}
        }));
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An emitter into a buffer the test reads back.
    fn captured() -> (Emitter, Arc<Mutex<Vec<u8>>>) {
        #[derive(Clone)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().write(buf)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Arc::new(Mutex::new(Vec::new()));
        (Emitter::to(Box::new(Shared(buffer.clone()))), buffer)
    }

    #[test]
    fn records_keep_their_text_and_every_message_is_one_json_line() {
        let (emitter, buffer) = captured();
        emitter.record("admin_users", r#"{"id":"u\"1","n":1.50}"#, 7);
        emitter.state("admin_users", json!({"page_cursor": "c"}), 1);
        emitter.error(Some("groups"), "failed", "detail", false);
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert!(text.contains(r#""data":{"id":"u\"1","n":1.50}"#), "{text}");
        assert_eq!(lines[0]["record"]["stream"], "admin_users");
        assert_eq!(
            lines[1]["state"]["stream"]["stream_state"]["page_cursor"],
            "c"
        );
        assert_eq!(
            lines[2]["trace"]["error"]["stream_descriptor"]["name"],
            "groups"
        );
    }
}
