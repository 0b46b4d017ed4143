//! `harness mock`: serve the mock Anthropic API on loopback until Ctrl-C, for
//! trying the harness (or anything else) by hand, and for the benchmark,
//! which runs it in its own process and reads the address from the first
//! line of stdout.

use anthropic_mock::{
    Behaviour, DEMO_ADMIN_KEY, DEMO_COMPLIANCE_KEY, MockOrg, MockServer, OrgSize,
};
use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct MockCommand {
    /// Address to listen on (loopback only by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Console users in the generated organisation.
    #[arg(long, default_value_t = OrgSize::default().admin_users)]
    pub users: usize,
    /// Linked organisations in the generated organisation.
    #[arg(long, default_value_t = OrgSize::default().organizations)]
    pub organizations: usize,
    /// claude.ai users across the linked organisations.
    #[arg(long, default_value_t = OrgSize::default().compliance_users)]
    pub compliance_users: usize,
    /// Events in the compliance activity feed.
    #[arg(long, default_value_t = OrgSize::default().activities)]
    pub activities: usize,
    /// Rows of the cost report per day, as a large organisation has (default:
    /// the cost of the generated usage, a few dozen a day).
    #[arg(long, value_name = "ROWS")]
    pub cost_rows_per_day: Option<usize>,
    /// Compliance groups (default: one per 20 claude.ai users, at least 2).
    #[arg(long, value_name = "N")]
    pub groups: Option<usize>,
    /// Members of every group (default: a share of the claude.ai users plus
    /// every seventh one).
    #[arg(long, value_name = "N")]
    pub members_per_group: Option<usize>,
    /// Chats of every claude.ai user (default: 0 to 3, by user).
    #[arg(long, value_name = "N")]
    pub chats_per_user: Option<usize>,
    /// Usage series reporting every minute: 7 days at 1m with full grouping
    /// give N × 10,080 rows (default: a few usage records an hour).
    #[arg(long, value_name = "N")]
    pub usage_series: Option<usize>,
    /// Milliseconds every request waits before it is answered, like a round
    /// trip to the real API.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Requests per minute shared by every key (the Compliance API allows
    /// 600): past it, 429 with retry-after (default: no limit).
    #[arg(long, value_name = "N")]
    pub requests_per_minute: Option<u32>,
    /// Seed of the generated data.
    #[arg(long, default_value_t = OrgSize::default().seed)]
    pub seed: u64,
}

impl MockCommand {
    pub async fn execute(&self) -> anyhow::Result<ExitCode> {
        let started = Instant::now();
        let org = MockOrg::generate(OrgSize {
            admin_users: self.users,
            organizations: self.organizations,
            compliance_users: self.compliance_users,
            activities: self.activities,
            cost_rows_per_day: self.cost_rows_per_day,
            groups: self.groups,
            members_per_group: self.members_per_group,
            chats_per_user: self.chats_per_user,
            usage_series: self.usage_series,
            seed: self.seed,
        });
        let generated_in = started.elapsed();
        let server = MockServer::bind(self.listen, org)
            .await
            .with_context(|| format!("listening on {}", self.listen))?;
        server.set_behaviour(Behaviour {
            latency: Duration::from_millis(self.latency_ms),
            requests_per_minute: self.requests_per_minute,
            ..Behaviour::default()
        });
        // The first line is the address, sent at once: a program reading it
        // from a pipe starts as soon as the mock is ready.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "mock Anthropic API on {}", server.base_url())?;
        stdout.flush()?;
        writeln!(stdout, "try:  ANTHROPIC_BASE_URL={} \\", server.base_url())?;
        writeln!(stdout, "      ANTHROPIC_ADMIN_API_KEY={DEMO_ADMIN_KEY} \\")?;
        writeln!(
            stdout,
            "      ANTHROPIC_COMPLIANCE_ACCESS_KEY={DEMO_COMPLIANCE_KEY} harness check"
        )?;
        stdout.flush()?;
        drop(stdout);
        eprintln!(
            "organisation generated in {:.2} s",
            generated_in.as_secs_f64()
        );
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        eprintln!(
            "{} requests served over {} connections",
            server.requests().len(),
            server.connections_accepted()
        );
        Ok(ExitCode::SUCCESS)
    }
}
