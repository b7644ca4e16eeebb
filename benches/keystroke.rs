//! Keystroke latency in the shell: Tab completion of field names and the
//! live result hint, on a 100,000-user document held in memory, against
//! one full pass over every user (`Users[].Name.GivenName`) in the same
//! run. Prints Markdown rows. Data: `$IDCSH_BENCH_DATA`.

use std::sync::Arc;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idcsh::doc::Doc;
use idcsh::query::{Query, Val};
use idcsh::shell::complete::{self, View};
use idcsh::shell::helper::{result_hint, result_preview};

/// Median milliseconds of `work` over at least 20 runs or one second.
fn median_ms(mut work: impl FnMut()) -> f64 {
    let mut samples = Vec::new();
    let started = Instant::now();
    while samples.len() < 20 || (started.elapsed().as_secs_f64() < 1.0 && samples.len() < 500) {
        let t = Instant::now();
        work();
        samples.push(t.elapsed().as_secs_f64() * 1e3);
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let Some(path) = std::env::var_os("IDCSH_BENCH_DATA") else {
        eprintln!("set IDCSH_BENCH_DATA to a JSON document (scripts/bench-shell.sh does)");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("readable benchmark data");
    let document = Doc::parse(&text).expect("valid JSON");
    drop(text);
    let users = document.get("Users").cloned().expect("a Users key");
    let count = users.count();
    let view = View {
        collections: vec!["Users".into()],
        directory: true,
        data: vec![("Users".into(), Arc::new(users))],
        commands: idcsh::commands::names(),
        ..View::default()
    };
    let scan = Query::compile("Users[].Name.GivenName").expect("compiles");
    let baseline = median_ms(|| {
        let entries = vec![(
            std::borrow::Cow::Borrowed("Users"),
            Val::Ref(view.data[0].1.as_ref()),
        )];
        let root = Val::Object(entries.into());
        std::hint::black_box(scan.evaluate(&root).expect("evaluates").array_len());
    });
    println!("| keystroke ({count} users held) | median | vs one pass over every user |");
    println!("|---|---|---|");
    println!("| baseline: `Users[].Name.GivenName` (one pass) | {baseline:.2} ms | 1.00 |");
    for line in [
        "Users[?Na",
        "Users[?Name.",
        "Users[?Name.GivenName == 'a' && Emails[?Ty",
        "Users[?UserName == 'user-4999",
    ] {
        let ms = median_ms(|| {
            std::hint::black_box(complete::complete(&view, line, line.len()));
        });
        println!("| Tab after `{line}` | {ms:.3} ms | {:.3} |", ms / baseline);
    }
    // The preview pane (what a keystroke computes: the result's first
    // lines, or the error) on every user held; the budget is 16 ms.
    let limit = idcsh::shell::helper::HINT_ITEM_LIMIT;
    println!("| (the preview pane, on all {count} users; computed up to {limit} items) | | |");
    for line in [
        "Users",
        "length(Users)",
        "Users[?UserName == 'user-49999'].UserId",
        "length(Users[?Name.GivenName == 'Alice'])",
        "Users[?contains(DisplayName, 'Smith')].UserName",
        "sort_by(Users, &UserName)[-5:].UserName",
        "Users[?UserName == 'user-49999'].UserId]",
    ] {
        let ms = median_ms(|| {
            std::hint::black_box(result_preview(&view, line));
        });
        println!(
            "| preview of `{line}` | {ms:.2} ms | {:.2} |",
            ms / baseline
        );
    }
    std::hint::black_box(result_hint(&view, "length(Users)"));
}
