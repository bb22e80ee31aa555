//! `tablica check LAYOUT`: validates a layout and everything it references.

use crate::layout_files::check::{CHECK_SIZES, check_design, check_file};
use crate::layout_files::prove_call_drawn;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The layout file to check.
    pub layout: PathBuf,
}

/// Prints each problem as `file:line:col: message`; exits 1 when there is any.
///
/// Beyond what live reload checks before swapping a layout in (every number in range, every
/// section there, every file it names usable), this proves the called number is drawn on a
/// 1920×1080 and a 1080×1920 screen; the running board proves it again at its own size. It also
/// reports what ruins a board to the eye (see [`check_design`]): overlapping panels, too little
/// contrast, text cut or too small at the layout's own orientation.
pub fn check_cli(args: CheckArgs) -> ExitCode {
    let checked = check_file(&args.layout).and_then(|(layout, text)| {
        let mut problems = prove_call_drawn(&layout, &text, &args.layout, &CHECK_SIZES)
            .err()
            .unwrap_or_default();
        problems.extend(check_design(&layout, &text, &args.layout));
        if problems.is_empty() {
            Ok(layout)
        } else {
            Err(problems)
        }
    });
    match checked {
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
