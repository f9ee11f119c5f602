// The whole extension: Zed starts `drmigrate server` (found on PATH) for the languages it lists.
use zed_extension_api::{self as zed, LanguageServerId, Result};

struct Drmigrate;

impl zed::Extension for Drmigrate {
    fn new() -> Self {
        Drmigrate
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let command = worktree
            .which("drmigrate")
            .ok_or_else(|| "drmigrate is not on PATH: pip install 'drmigrate[server]'".to_string())?;
        Ok(zed::Command {
            command,
            args: vec!["server".into()],
            env: Default::default(),
        })
    }
}

zed::register_extension!(Drmigrate);
