//! `hookctl completions SHELL`.

use crate::Exit;
use crate::cli::CompletionsArgs;
use crate::output::Output;
use anyhow::Result;

pub fn run(out: &Output, args: CompletionsArgs) -> Result<Exit> {
    out.bytes(&crate::generate::completion(args.shell))?;
    Ok(Exit::Success)
}
