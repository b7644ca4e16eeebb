//! Commands about the session itself: help, output settings, the AWS
//! connection (profile, region, store, instance, whoami) and the cache.

use serde_json::{Value as Json, json};

use super::Switch;
use super::context::Context;
use crate::error::Error;
use crate::outcome::{Outcome, data};
use crate::query::Dialect;
use crate::render::{Expanded, Format};
use crate::source::aws::AwsOptions;

/// `.help [COMMAND]`.
pub(super) fn help(command: Option<&str>) -> Result<Outcome, Error> {
    Ok(Outcome::Text(match command {
        None => super::help_all(),
        Some(name) => super::help_one(name).map_err(Error::Usage)?,
    }))
}

/// `.output [FORMAT]`.
pub(super) fn output(cx: &mut Context<'_>, format: Option<Format>) -> Outcome {
    if let Some(format) = format {
        cx.settings.format = format;
    }
    Outcome::Note(format!("output format: {}", cx.settings.format.name()))
}

/// `.wide [on|off]`: `.output wide` or `.output table`.
pub(super) fn wide(cx: &mut Context<'_>, state: Option<super::Switch>) -> Outcome {
    match state {
        Some(super::Switch::On) => cx.settings.format = Format::Wide,
        Some(super::Switch::Off) => cx.settings.format = Format::Table,
        None => {}
    }
    Outcome::Note(format!(
        "wide tables: {} (output format: {})",
        if cx.settings.format == Format::Wide {
            "on"
        } else {
            "off"
        },
        cx.settings.format.name()
    ))
}

/// `.output-file [FILE] [--force]`: results go to FILE (emptied first,
/// after asking if it holds something) until `.output-file` alone.
pub(super) fn output_file(
    cx: &mut Context<'_>,
    file: Option<std::path::PathBuf>,
    force: bool,
) -> Result<Outcome, Error> {
    let Some(file) = file else {
        return Ok(Outcome::Note(match cx.settings.output_file.take() {
            Some(path) => format!("results are shown again (they went to {})", path.display()),
            None => "results are shown on the screen".to_owned(),
        }));
    };
    let path = crate::files::expand_home(&file);
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "{} is a folder; name a file",
            path.display()
        )));
    }
    let holds_something = std::fs::metadata(&path).is_ok_and(|m| m.len() > 0);
    if holds_something && !force {
        let refusal = || {
            Error::Usage(format!(
                "{} exists; pass --force to empty it first (nothing changed)",
                path.display()
            ))
        };
        if !cx.confirmed(
            &format!("empty {} and write results there?", path.display()),
            refusal,
        )? {
            return Ok(Outcome::Note("nothing changed".into()));
        }
    }
    std::fs::write(&path, b"")
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    let format = Format::of_file(&path).unwrap_or(cx.settings.format);
    cx.settings.output_file = Some(path.clone());
    Ok(Outcome::Note(format!(
        "results go to {} ({}) until .output-file alone",
        path.display(),
        format.name()
    )))
}

/// `.profile [NAME]`: show, or connect again with another profile.
pub(super) fn profile(cx: &mut Context<'_>, name: Option<String>) -> Result<Outcome, Error> {
    match name {
        None => Ok(Outcome::Note(format!("profile: {}", cx.live()?.profile()))),
        Some(name) => {
            let mut options = options(cx)?;
            options.profile = Some(name);
            reconnect(cx, options)
        }
    }
}

/// `.region [NAME]`: show, or connect again in another region.
pub(super) fn region(cx: &mut Context<'_>, name: Option<String>) -> Result<Outcome, Error> {
    match name {
        None => Ok(Outcome::Note(format!("region: {}", cx.live()?.region()))),
        Some(name) => {
            let mut options = options(cx)?;
            options.region = Some(name);
            reconnect(cx, options)
        }
    }
}

/// `.store [ID]`.
pub(super) fn store(cx: &mut Context<'_>, id: Option<String>) -> Result<Outcome, Error> {
    match id {
        Some(id) => {
            cx.live()?.set_store(id.clone());
            cx.session.forget(&[])?;
            Ok(Outcome::Note(format!(
                "identity store: {id} (cache dropped)"
            )))
        }
        None => {
            let (store, _) = cx.store_and_instance()?;
            Ok(Outcome::Note(format!(
                "identity store: {}",
                store.as_deref().unwrap_or("not discovered yet")
            )))
        }
    }
}

/// `.instance [ARN]`.
pub(super) fn instance(cx: &mut Context<'_>, arn: Option<String>) -> Result<Outcome, Error> {
    match arn {
        Some(arn) => {
            cx.live()?.set_instance(arn.clone());
            cx.session.forget(&[])?;
            Ok(Outcome::Note(format!("instance: {arn} (cache dropped)")))
        }
        None => {
            let (_, instance) = cx.store_and_instance()?;
            Ok(Outcome::Note(format!(
                "instance: {}",
                instance.as_deref().unwrap_or("not discovered yet")
            )))
        }
    }
}

/// `.whoami`: STS on the live source; offline, where the data came from.
pub(super) fn whoami(cx: &mut Context<'_>) -> Result<Outcome, Error> {
    let value = match cx.live.client.clone() {
        Some(aws) => cx.runtime.run(aws.whoami())?,
        None => {
            let (store, instance) = cx.store_and_instance()?;
            json!({
                "Source": cx.session.source_label(),
                "IdentityStoreId": store,
                "InstanceArn": instance,
            })
        }
    };
    Ok(data(value))
}

/// `.cache`: what is held, how much and how old.
pub(super) fn cache(cx: &Context<'_>) -> Outcome {
    let rows = cx
        .session
        .held()
        .iter()
        .map(|(name, held)| {
            json!({
                "Collection": name,
                "Items": held.value.count(),
                "AgeSeconds": crate::session::age(held).as_secs(),
                "FromDisk": held.from_disk,
            })
        })
        .collect();
    data(Json::Array(rows))
}

/// `.refresh [COLLECTION...] [--background]`.
pub(super) fn refresh(
    cx: &mut Context<'_>,
    collections: &[String],
    background: bool,
) -> Result<Outcome, Error> {
    if background {
        let names = cx.session.refresh_in_background(collections)?;
        return Ok(Outcome::Note(if names.is_empty() {
            "nothing was cached".to_owned()
        } else {
            format!(
                "refreshing {} in the background; the copies held answer until then",
                names.join(", ")
            )
        }));
    }
    let forgotten = cx.session.forget(collections)?;
    Ok(Outcome::Note(if forgotten.is_empty() {
        "nothing was cached".to_owned()
    } else {
        format!("forgot {}", forgotten.join(", "))
    }))
}

/// `.timing [on|off]`.
pub(super) fn timing(cx: &mut Context<'_>, state: Option<Switch>) -> Outcome {
    if let Some(state) = state {
        cx.settings.timing = state == Switch::On;
    }
    Outcome::Note(format!("timing {}", on_off(cx.settings.timing)))
}

/// `.pager [on|off]`.
pub(super) fn pager(cx: &mut Context<'_>, state: Option<Switch>) -> Outcome {
    if let Some(state) = state {
        cx.settings.pager = state == Switch::On;
    }
    Outcome::Note(format!("pager {}", on_off(cx.settings.pager)))
}

/// `.expanded [on|off|auto]`.
pub(super) fn expanded(cx: &mut Context<'_>, mode: Option<Expanded>) -> Outcome {
    if let Some(mode) = mode {
        cx.settings.expanded = mode;
    }
    Outcome::Note(format!("expanded {}", cx.settings.expanded.name()))
}

/// `.compat [spec|aws-cli]`.
pub(super) fn compat(cx: &mut Context<'_>, mode: Option<Dialect>) -> Outcome {
    if let Some(mode) = mode {
        cx.settings.dialect = mode;
    }
    Outcome::Note(format!("compat {}", cx.settings.dialect.name()))
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// The options the live source was reached with, to change one.
fn options(cx: &Context<'_>) -> Result<AwsOptions, Error> {
    cx.live()?;
    cx.live
        .options
        .clone()
        .ok_or_else(|| Error::Usage("no AWS settings to change".into()))
}

/// Connects again with changed options; the cache is dropped.
fn reconnect(cx: &mut Context<'_>, options: AwsOptions) -> Result<Outcome, Error> {
    let client = cx.reconnect(options)?;
    Ok(Outcome::Note(format!(
        "profile: {}, region: {} (cache dropped)",
        client.profile(),
        client.region()
    )))
}
