//! Which `hostingd` process this is, among the instances that share one database: named in
//! every log line and every audit record (`--instance-id`, default the host name and the pid).

use std::sync::OnceLock;

static INSTANCE_ID: OnceLock<String> = OnceLock::new();

/// Longest instance id, in bytes.
pub const MAX_LEN: usize = 64;

/// Sets this process's instance id, once (a second call, as from a second service started in
/// the same test process, keeps the first). `None` keeps the default.
pub fn init(id: Option<&str>) {
    let _ = INSTANCE_ID.set(id.map_or_else(default_id, str::to_string));
}

/// This process's instance id.
pub fn id() -> &'static str {
    INSTANCE_ID.get_or_init(default_id)
}

/// A lease holder of this instance, unique to one use (a PATCH, a job run): `<id>:<random>`.
/// Two holders of one instance exclude each other as two instances do.
pub fn lease_holder() -> String {
    format!("{}:{}", id(), hex::encode(rand::random::<[u8; 8]>()))
}

/// `<host name>-<pid>`.
pub fn default_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "hostingd".to_string());
    let id = format!("{host}-{}", std::process::id());
    match parse(&id) {
        Ok(id) => id,
        Err(_) => format!("hostingd-{}", std::process::id()),
    }
}

/// Checks an instance id given on the command line: 1 to 64 letters, digits, `.`, `_`, `-`.
pub fn parse(text: &str) -> Result<String, String> {
    let valid = !text.is_empty()
        && text.len() <= MAX_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(text.to_string())
    } else {
        Err(format!(
            "an instance id has 1 to {MAX_LEN} letters, digits, '.', '_' or '-' (got {text:?})"
        ))
    }
}

/// A log timer that writes the time, then this process's instance id: every log line names it.
pub struct TimeAndInstance;

impl tracing_subscriber::fmt::time::FormatTime for TimeAndInstance {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        tracing_subscriber::fmt::time::SystemTime.format_time(w)?;
        write!(w, " {}", id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_the_default_is_valid() {
        assert!(parse("hostingd-a.1_b").is_ok());
        assert!(parse("").is_err());
        assert!(parse("two words").is_err());
        assert!(parse(&"x".repeat(MAX_LEN + 1)).is_err());
        let default = default_id();
        assert!(parse(&default).is_ok(), "{default}");
        assert!(default.ends_with(&format!("-{}", std::process::id())));
    }

    /// A writer into a shared buffer, for the log test.
    #[derive(Clone, Default)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_log_line_names_the_instance() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_timer(TimeAndInstance)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("something to say");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let line = text.lines().next().unwrap();
        assert!(line.contains(&format!(" {} ", id())), "{line}");
        assert!(line.contains("something to say"), "{line}");
    }
}
