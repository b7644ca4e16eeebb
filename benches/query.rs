//! Steady-state query time: the document is loaded once, then each
//! expression in `benches/expressions.txt` is compiled and evaluated
//! (result converted to the document the shell keeps and renders)
//! repeatedly. Prints one JSON line per
//! expression with the median in microseconds. Data: `$IDCSH_BENCH_DATA`.
//! With `IDCSH_BENCH_CRATE=1`, the `jmespath` crate (a dev-dependency, the
//! design's first choice) is timed on the same document and expressions
//! too (`crate_median_us`), for README's "why our own engine".

use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idcsh::doc::Doc;
use idcsh::query::{Query, Val};

fn main() {
    let Some(path) = std::env::var_os("IDCSH_BENCH_DATA") else {
        eprintln!("set IDCSH_BENCH_DATA to a JSON document (scripts/bench-query.sh does)");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("readable benchmark data");
    let data = Doc::parse(&text).expect("valid JSON");
    let crate_data = std::env::var_os("IDCSH_BENCH_CRATE").map(|_| {
        std::rc::Rc::new(jmespath::Variable::from_json(&text).expect("the crate reads it"))
    });
    drop(text);
    let expressions = include_str!("expressions.txt");
    for expression in expressions.lines().filter(|l| !l.trim().is_empty()) {
        let mut samples = Vec::new();
        let started = Instant::now();
        while samples.len() < 5 || (started.elapsed().as_secs_f64() < 2.0 && samples.len() < 200) {
            let t = Instant::now();
            let query = Query::compile(expression).expect("benchmark expressions compile");
            let result = query
                .evaluate(&Val::Ref(&data))
                .expect("benchmark expressions evaluate");
            std::hint::black_box(result.to_doc());
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
        samples.sort_by(f64::total_cmp);
        let median = samples[samples.len() / 2];
        let mut line = serde_json::json!({"expression": expression, "median_us": median, "runs": samples.len()});
        if let Some(variable) = &crate_data {
            line["crate_median_us"] = serde_json::json!(crate_median(expression, variable));
        }
        println!("{line}");
    }
}

/// The crate's median time for `expression` over `data`, measured as
/// idcsh's is (compile, search, result to JSON).
fn crate_median(expression: &str, data: &jmespath::Rcvar) -> f64 {
    let mut samples = Vec::new();
    let started = Instant::now();
    while samples.len() < 5 || (started.elapsed().as_secs_f64() < 2.0 && samples.len() < 200) {
        let t = Instant::now();
        let compiled = jmespath::compile(expression).expect("the crate compiles it");
        // `interpret` over the held value: on stable Rust, `search` would
        // first copy the whole document through serde (the crate's
        // specialisation for an `Rcvar` needs a nightly feature).
        let mut context = jmespath::Context::new(expression, &jmespath::DEFAULT_RUNTIME);
        let result = jmespath::interpret(data, compiled.as_ast(), &mut context)
            .expect("the crate evaluates it");
        std::hint::black_box(serde_json::to_value(&*result).ok());
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}
