//! `tablica check LAYOUT`: validates a layout and everything it references.

use crate::layout::check::check_file;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The layout file to check.
    pub layout: PathBuf,
}

/// Prints each problem as `file:line:col: message`; exits 1 when there is any.
pub fn check_cli(args: CheckArgs) -> ExitCode {
    match check_file(&args.layout) {
        Ok(layout) => {
            let name = if layout.name.is_empty() {
                "layout"
            } else {
                &layout.name
            };
            println!("{}: OK ({name})", args.layout.display());
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for p in &problems {
                println!("{p}");
            }
            eprintln!(
                "{}: {} problem{}",
                args.layout.display(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}
