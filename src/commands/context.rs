//! What a command may use, and nothing more: the session, the settings,
//! the live client and how it was reached, the runtime to wait on, the
//! saved queries, the history, and who to ask before a change.

use std::io;
use std::sync::Arc;

use crate::collection::Collection;
use crate::doc::Doc;
use crate::error::Error;
use crate::history::History;
use crate::outcome::Outcome;
use crate::query::Query;
use crate::runtime::Runtime;
use crate::saved::SavedQueries;
use crate::session::Session;
use crate::settings::Settings;
use crate::source::aws::{AwsOptions, AwsSource};

/// Asks the person at the terminal before a change.
pub trait Confirm {
    /// Puts `question` and returns the answer: true for yes.
    fn confirm(&mut self, question: &str) -> Result<bool, Error>;
}

/// Asks on stderr and reads the answer (`y` or `yes`) from stdin, or from
/// the terminal when stdin is a pipe (`... | idcsh --data -`).
pub struct Terminal;

impl Confirm for Terminal {
    fn confirm(&mut self, question: &str) -> Result<bool, Error> {
        use std::io::{BufRead, IsTerminal};
        eprint!("{question} [y/N] ");
        let mut answer = String::new();
        let read = if io::stdin().is_terminal() {
            io::stdin().read_line(&mut answer)
        } else {
            std::fs::File::open("/dev/tty")
                .and_then(|tty| io::BufReader::new(tty).read_line(&mut answer))
        };
        read.map_err(|e| Error::io("cannot read the answer", e))?;
        Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
    }
}

/// The live AWS client, when there is one, and the options it was reached
/// with (for `.profile` and `.region` to reconnect with one changed).
#[derive(Default)]
pub struct Live {
    pub client: Option<Arc<AwsSource>>,
    pub options: Option<AwsOptions>,
}

/// Everything a command may touch.
pub struct Context<'r> {
    pub session: &'r mut Session,
    pub settings: &'r mut Settings,
    pub live: &'r mut Live,
    pub runtime: Runtime,
    pub saved: &'r mut SavedQueries,
    pub history: &'r History,
    pub confirm: Option<&'r mut (dyn Confirm + 'static)>,
}

impl Context<'_> {
    /// Fetches the named collections (if not held) and returns them.
    pub(crate) fn collections<const N: usize>(
        &mut self,
        wanted: [Collection; N],
    ) -> Result<[Arc<Doc>; N], Error> {
        let owned: Vec<String> = wanted.iter().map(|c| c.name().to_owned()).collect();
        self.session.ensure(&owned)?;
        let held = self.session.held();
        Ok(wanted.map(|c| {
            held.get(c.name())
                .map(|h| h.value.clone())
                .unwrap_or_default()
        }))
    }

    /// The permission sets with what each grants (fetched when the held
    /// copy lacks it: six calls a set on a live directory).
    pub(crate) fn permission_sets_with_contents(&mut self) -> Result<Arc<Doc>, Error> {
        self.session.ensure_permission_set_contents()?;
        let [sets] = self.collections([Collection::PermissionSets])?;
        Ok(sets)
    }

    /// Who signs the calls (`Account`, `Arn`), on the live source when
    /// STS answers; `None` offline.
    pub(crate) fn caller(&self) -> Option<serde_json::Value> {
        let live = self.live.client.as_ref()?;
        let caller = self.runtime.run(live.caller()).ok()?;
        Some(serde_json::json!({"Account": caller.account, "Arn": caller.arn}))
    }

    /// The live client, or an error saying the command needs it.
    pub(crate) fn live(&self) -> Result<Arc<AwsSource>, Error> {
        self.live.client.clone().ok_or_else(|| {
            Error::Usage(format!(
                "{} is offline; this command needs the live AWS source",
                self.session.source_label()
            ))
        })
    }

    /// Evaluates an expression over the root.
    pub(crate) fn expression(&mut self, expression: &str) -> Result<Outcome, Error> {
        let query = Query::compile_in(expression, self.settings.dialect)?;
        let answer = self.session.evaluate(&query)?;
        Ok(Outcome::Value {
            value: answer.value,
            warnings: answer.warnings,
        })
    }

    /// The store and instance: the live client's, or an offline source's
    /// `Instances` collection's first item.
    pub(crate) fn store_and_instance(&mut self) -> Result<(Option<String>, Option<String>), Error> {
        if let Some(live) = &self.live.client {
            return Ok(live.store_and_instance());
        }
        let instances = Collection::Instances;
        if !self
            .session
            .collection_names()
            .iter()
            .any(|c| c == instances.name())
        {
            return Ok((None, None));
        }
        let [found] = self.collections([instances])?;
        let field = |key: &str| found[0][key].as_str().map(str::to_owned);
        Ok((field("IdentityStoreId"), field("InstanceArn")))
    }

    /// Whether a change may go ahead: `--yes`, or the person at the
    /// terminal agrees to `question`; without a terminal, `refusal`.
    pub(crate) fn confirmed(
        &mut self,
        question: &str,
        refusal: impl FnOnce() -> Error,
    ) -> Result<bool, Error> {
        if self.settings.yes {
            return Ok(true);
        }
        match self.confirm.as_deref_mut() {
            Some(confirm) => confirm.confirm(question),
            None => Err(refusal()),
        }
    }

    /// Connects to AWS with `options`, in place of the source in use; the
    /// cache is dropped. Returns the new client.
    pub(crate) fn reconnect(&mut self, options: AwsOptions) -> Result<Arc<AwsSource>, Error> {
        let client = Arc::new(self.runtime.run(AwsSource::connect(options.clone()))?);
        self.session.replace_source(client.clone());
        self.live.client = Some(client.clone());
        self.live.options = Some(options);
        Ok(client)
    }
}
