//! The `idcsh` binary: parse the flags, run, report the error once.

use std::process::ExitCode;

use clap::Parser;
use idcsh::{app, cli, error};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => match cli::hint_for(&err, &args) {
            Some(hint) => {
                eprintln!("{hint}");
                return ExitCode::from(2);
            }
            None => err.exit(),
        },
    };
    match app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            error::report(&err, &mut std::io::stderr().lock());
            match err {
                error::Error::Usage(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
