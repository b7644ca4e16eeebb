//! Commands about the session itself: help, output settings, the AWS
//! connection (profile, region, store, instance, whoami) and the cache.

use serde_json::{Value as Json, json};

use super::Switch;
use crate::error::Error;
use crate::exec::{Outcome, Runner, data};
use crate::query::Dialect;
use crate::render::{Expanded, Format};
use crate::source::aws::{AwsOptions, AwsSource};

/// `.help [COMMAND]`.
pub(super) fn help(command: Option<&str>) -> Result<Outcome, Error> {
    Ok(Outcome::Text(match command {
        None => super::help_all(),
        Some(name) => super::help_one(name).map_err(Error::Usage)?,
    }))
}

/// `.output [FORMAT]`.
pub(super) fn output(runner: &mut Runner, format: Option<Format>) -> Outcome {
    if let Some(format) = format {
        runner.settings.format = format;
    }
    Outcome::Note(format!("output format: {}", runner.settings.format.name()))
}

/// `.profile [NAME]`: show, or connect again with another profile.
pub(super) fn profile(runner: &mut Runner, name: Option<String>) -> Result<Outcome, Error> {
    match name {
        None => Ok(Outcome::Note(format!(
            "profile: {}",
            runner.live()?.profile()
        ))),
        Some(name) => {
            let mut options = options(runner)?;
            options.profile = Some(name);
            reconnect(runner, options)
        }
    }
}

/// `.region [NAME]`: show, or connect again in another region.
pub(super) fn region(runner: &mut Runner, name: Option<String>) -> Result<Outcome, Error> {
    match name {
        None => Ok(Outcome::Note(format!(
            "region: {}",
            runner.live()?.region()
        ))),
        Some(name) => {
            let mut options = options(runner)?;
            options.region = Some(name);
            reconnect(runner, options)
        }
    }
}

/// `.store [ID]`.
pub(super) fn store(runner: &mut Runner, id: Option<String>) -> Result<Outcome, Error> {
    match id {
        Some(id) => {
            runner.live()?.set_store(id.clone());
            runner.session.forget(&[])?;
            Ok(Outcome::Note(format!(
                "identity store: {id} (cache dropped)"
            )))
        }
        None => {
            let (store, _) = runner.store_and_instance()?;
            Ok(Outcome::Note(format!(
                "identity store: {}",
                store.as_deref().unwrap_or("not discovered yet")
            )))
        }
    }
}

/// `.instance [ARN]`.
pub(super) fn instance(runner: &mut Runner, arn: Option<String>) -> Result<Outcome, Error> {
    match arn {
        Some(arn) => {
            runner.live()?.set_instance(arn.clone());
            runner.session.forget(&[])?;
            Ok(Outcome::Note(format!("instance: {arn} (cache dropped)")))
        }
        None => {
            let (_, instance) = runner.store_and_instance()?;
            Ok(Outcome::Note(format!(
                "instance: {}",
                instance.as_deref().unwrap_or("not discovered yet")
            )))
        }
    }
}

/// `.whoami`: STS on the live source; offline, where the data came from.
pub(super) fn whoami(runner: &mut Runner) -> Result<Outcome, Error> {
    let value = match runner.session.source().as_aws() {
        Some(aws) => runner.session.run(aws.whoami())?,
        None => {
            let (store, instance) = runner.store_and_instance()?;
            json!({
                "Source": runner.session.source_label(),
                "IdentityStoreId": store,
                "InstanceArn": instance,
            })
        }
    };
    Ok(data(value))
}

/// `.cache`: what is held, how much and how old.
pub(super) fn cache(runner: &Runner) -> Outcome {
    let rows = runner
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
    runner: &mut Runner,
    collections: &[String],
    background: bool,
) -> Result<Outcome, Error> {
    if background {
        let names = runner.session.refresh_in_background(collections)?;
        return Ok(Outcome::Note(if names.is_empty() {
            "nothing was cached".to_owned()
        } else {
            format!(
                "refreshing {} in the background; the copies held answer until then",
                names.join(", ")
            )
        }));
    }
    let forgotten = runner.session.forget(collections)?;
    Ok(Outcome::Note(if forgotten.is_empty() {
        "nothing was cached".to_owned()
    } else {
        format!("forgot {}", forgotten.join(", "))
    }))
}

/// `.timing [on|off]`.
pub(super) fn timing(runner: &mut Runner, state: Option<Switch>) -> Outcome {
    if let Some(state) = state {
        runner.settings.timing = state == Switch::On;
    }
    Outcome::Note(format!("timing {}", on_off(runner.settings.timing)))
}

/// `.pager [on|off]`.
pub(super) fn pager(runner: &mut Runner, state: Option<Switch>) -> Outcome {
    if let Some(state) = state {
        runner.settings.pager = state == Switch::On;
    }
    Outcome::Note(format!("pager {}", on_off(runner.settings.pager)))
}

/// `.expanded [on|off|auto]`.
pub(super) fn expanded(runner: &mut Runner, mode: Option<Expanded>) -> Outcome {
    if let Some(mode) = mode {
        runner.settings.expanded = mode;
    }
    Outcome::Note(format!("expanded {}", runner.settings.expanded.name()))
}

/// `.compat [spec|aws-cli]`.
pub(super) fn compat(runner: &mut Runner, mode: Option<Dialect>) -> Outcome {
    if let Some(mode) = mode {
        runner.settings.dialect = mode;
    }
    Outcome::Note(format!("compat {}", runner.settings.dialect.name()))
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// The options the live source was reached with, to change one.
fn options(runner: &Runner) -> Result<AwsOptions, Error> {
    runner.live()?;
    runner
        .aws
        .clone()
        .ok_or_else(|| Error::Usage("no AWS settings to change".into()))
}

/// Connects again with changed options; the cache is dropped.
fn reconnect(runner: &mut Runner, options: AwsOptions) -> Result<Outcome, Error> {
    let source = runner.session.run(AwsSource::connect(options.clone()))?;
    let note = format!(
        "profile: {}, region: {} (cache dropped)",
        source.profile(),
        source.region()
    );
    runner.session.replace_source(Box::new(source));
    runner.aws = Some(options);
    Ok(Outcome::Note(note))
}
