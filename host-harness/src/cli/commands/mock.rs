//! `harness mock`: serve the mock Anthropic API on loopback until Ctrl-C, for
//! trying the harness (or anything else) by hand.

use anthropic_mock::{DEMO_ADMIN_KEY, DEMO_COMPLIANCE_KEY, MockOrg, MockServer, OrgSize};
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct MockCommand {
    /// Address to listen on (loopback only by default).
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
    /// Seed of the generated data.
    #[arg(long, default_value_t = OrgSize::default().seed)]
    pub seed: u64,
}

impl MockCommand {
    pub async fn execute(&self) -> anyhow::Result<ExitCode> {
        let org = MockOrg::generate(OrgSize {
            admin_users: self.users,
            organizations: self.organizations,
            compliance_users: self.compliance_users,
            activities: self.activities,
            cost_rows_per_day: self.cost_rows_per_day,
            seed: self.seed,
        });
        let server = MockServer::bind(self.listen, org)
            .await
            .with_context(|| format!("listening on {}", self.listen))?;
        println!("mock Anthropic API on {}", server.base_url());
        println!("try:  ANTHROPIC_BASE_URL={} \\", server.base_url());
        println!("      ANTHROPIC_ADMIN_API_KEY={DEMO_ADMIN_KEY} \\");
        println!("      ANTHROPIC_COMPLIANCE_ACCESS_KEY={DEMO_COMPLIANCE_KEY} harness check");
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        eprintln!("{} requests served", server.requests().len());
        Ok(ExitCode::SUCCESS)
    }
}
