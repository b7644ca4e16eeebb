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
use idcsh::shell::helper::result_hint;

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
    ] {
        let ms = median_ms(|| {
            std::hint::black_box(complete::complete(&view, line, line.len()));
        });
        println!("| Tab after `{line}` | {ms:.3} ms | {:.3} |", ms / baseline);
    }
    // The hint reads at most HINT_ITEM_LIMIT items: measure it there.
    let limit = idcsh::shell::helper::HINT_ITEM_LIMIT;
    let some: Vec<Doc> = view.data[0].1.as_array().unwrap_or_default()[..limit.min(count)].to_vec();
    let view = View {
        data: vec![("Users".into(), Arc::new(Doc::Array(some.into())))],
        ..view
    };
    println!("| (the live hint, on the first {limit} users: its limit) | | |");
    for line in [
        "length(Users)",
        "length(Users[?Name.GivenName == 'Alice'])",
        "Users[?UserName == 'user-49999'].UserId",
    ] {
        let ms = median_ms(|| {
            std::hint::black_box(result_hint(&view, line));
        });
        println!(
            "| live hint for `{line}` | {ms:.2} ms | {:.2} |",
            ms / baseline
        );
    }
}
