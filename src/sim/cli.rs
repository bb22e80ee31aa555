//! `tablica simulate`: the simulator as a command.

use super::office::OfficeConfig;
use super::script::{Script, ScriptError};
use super::simulator::{SimConfig, SimError, Simulator};
use crate::protocol::time::in_warsaw;
use jiff::civil::{Date, DateTime, Time, Weekday};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Environment variable holding the bearer token displays must present.
pub const TOKEN_ENV: &str = "TABLICA_SIM_TOKEN";

/// `tablica simulate` options.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub listen: SocketAddr,
    /// Seed of the simulated office: the same seed and start give the same events
    /// [default: taken from the clock and logged].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulated seconds per real second (60: a minute per second).
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Replay this JSON Lines file of envelopes instead of simulating the office.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Require `Authorization: Bearer <token>` with the token in this file (else the
    /// TABLICA_SIM_TOKEN variable, if set).
    #[arg(long, value_name = "F")]
    pub token_file: Option<PathBuf>,
    /// Seconds of silence after which a display gets a heartbeat.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=10))]
    pub heartbeat_s: u64,
    /// Simulated time of day to start at (Europe/Warsaw); the day up to it is generated at once.
    #[arg(long, value_name = "HH:MM", default_value = "09:58", value_parser = parse_hhmm)]
    pub start: Time,
    /// Simulated date (YYYY-MM-DD) [default: today in Warsaw; a Sunday becomes Monday].
    #[arg(long)]
    pub date: Option<Date>,
    /// Events kept for displays that reconnect and resume.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub history: u64,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("cannot read the token file {path}: {source}", path = path.display())]
    TokenFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the token file {path} is empty", path = path.display())]
    EmptyToken { path: PathBuf },
    #[error("{TOKEN_ENV} is set but empty")]
    EmptyEnvToken,
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error(transparent)]
    Start(#[from] SimError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(#[source] std::io::Error),
}

/// Runs the simulator until Ctrl-C.
pub fn run_cli(args: SimulateArgs) -> ExitCode {
    crate::cmd::exit_code("simulate", run(args))
}

fn run(args: SimulateArgs) -> Result<(), CliError> {
    let config = config(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        let handle = Simulator::start(config).await?;
        if let Some(url) = handle.url() {
            println!("{url}");
        }
        tokio::signal::ctrl_c().await.map_err(CliError::Signal)?;
        tracing::info!("Ctrl-C: shutting down");
        handle.shutdown().await;
        Ok(())
    })
}

/// Turns the command line into a [`SimConfig`] (reading the script and the token).
fn config(args: &SimulateArgs) -> Result<SimConfig, CliError> {
    let mut config = match &args.script {
        Some(path) => SimConfig::script(Script::load(path)?),
        None => {
            let seed = args.seed.unwrap_or_else(seed_from_clock);
            let date = args.date.unwrap_or_else(today);
            tracing::info!(
                seed,
                "office seed (pass --seed {seed} to see this day again)"
            );
            SimConfig::office(OfficeConfig::new(
                seed,
                DateTime::from_parts(date, args.start),
            ))
        }
    };
    config.listen = args.listen;
    config.speed = args.speed;
    config.heartbeat = Duration::from_secs(args.heartbeat_s);
    config.history = args.history as usize;
    config.token = token(args)?;
    Ok(config)
}

fn token(args: &SimulateArgs) -> Result<Option<String>, CliError> {
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path).map_err(|source| CliError::TokenFile {
            path: path.clone(),
            source,
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(CliError::EmptyToken { path: path.clone() });
        }
        return Ok(Some(token.to_owned()));
    }
    match std::env::var(TOKEN_ENV) {
        Ok(t) if t.trim().is_empty() => Err(CliError::EmptyEnvToken),
        Ok(t) => Ok(Some(t.trim().to_owned())),
        Err(_) => Ok(None),
    }
}

pub fn today() -> Date {
    let date = in_warsaw(jiff::Timestamp::now()).date();
    if date.weekday() == Weekday::Sunday {
        date.tomorrow().unwrap_or(date)
    } else {
        date
    }
}

fn seed_from_clock() -> u64 {
    jiff::Timestamp::now().as_nanosecond() as u64
}

fn parse_speed(s: &str) -> Result<f64, String> {
    let speed: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if speed.is_finite() && speed > 0.0 && speed <= 1e6 {
        Ok(speed)
    } else {
        Err("must be a number above 0 and at most 1000000".into())
    }
}

fn parse_hhmm(s: &str) -> Result<Time, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not HH:MM"))?;
    let h: i8 = h.parse().map_err(|_| format!("`{s}` is not HH:MM"))?;
    let m: i8 = m.parse().map_err(|_| format!("`{s}` is not HH:MM"))?;
    Time::new(h, m, 0, 0).map_err(|_| format!("`{s}` is not a time of day"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times_and_speeds() {
        assert_eq!(
            parse_hhmm("09:58").unwrap(),
            Time::new(9, 58, 0, 0).unwrap()
        );
        assert!(parse_hhmm("25:00").is_err());
        assert!(parse_hhmm("1000").is_err());
        assert_eq!(parse_speed("60").unwrap(), 60.0);
        for bad in ["0", "-1", "NaN", "inf", "x"] {
            assert!(parse_speed(bad).is_err(), "{bad}");
        }
    }
}
