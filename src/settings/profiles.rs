//! `hookctl profiles`: the catalogue, with `--scheme` checked against the scheme
//! families it and the format know; or the one profile to show.

use crate::cli::{GlobalArgs, ProfilesAction, ProfilesArgs};
use crate::envelope::Profile;
use crate::settings::Config;
use anyhow::Result;

/// What `profiles` runs with.
pub enum ProfilesSettings {
    List(List),
    Show(Box<Profile>),
}

/// Every profile, and what to pick among them.
pub struct List {
    pub all: Vec<Profile>,
    /// A scheme family (lower case), or a prefix of one before a `-`.
    pub scheme: Option<String>,
    /// Text the name or description contains (lower case).
    pub search: Option<String>,
}

pub fn resolve(g: &GlobalArgs, args: ProfilesArgs) -> Result<ProfilesSettings> {
    let config = Config::load(g.config.as_deref())?;
    Ok(match args.action.unwrap_or(ProfilesAction::List) {
        ProfilesAction::List => {
            let all = config.catalog.all()?;
            let scheme = args.filter.scheme.as_deref().map(str::to_ascii_lowercase);
            if let Some(want) = &scheme {
                check_family(&all, want)?;
            }
            ProfilesSettings::List(List {
                all,
                scheme,
                search: args.filter.search.as_deref().map(str::to_lowercase),
            })
        }
        ProfilesAction::Show { name } => {
            ProfilesSettings::Show(Box::new(config.catalog.get(&name)?))
        }
    })
}

/// An unknown family is an error that lists the known ones: those the catalogue uses,
/// and every one the format knows.
fn check_family(all: &[Profile], want: &str) -> Result<()> {
    let mut families: Vec<String> = all.iter().map(Profile::scheme_family).collect();
    families.extend(
        crate::envelope::profile::Algorithm::ALL
            .iter()
            .filter_map(|a| serde_json::to_value(a).ok())
            .filter_map(|v| v.as_str().map(str::to_string)),
    );
    families.push("none".to_string());
    families.sort();
    families.dedup();
    if !families
        .iter()
        .any(|f| f == want || f.starts_with(&format!("{want}-")))
    {
        anyhow::bail!(
            "`{want}` is not a scheme family{}; the families are: {}",
            crate::envelope::did_you_mean(want, families.iter().map(String::as_str)),
            families.join(", ")
        );
    }
    Ok(())
}
