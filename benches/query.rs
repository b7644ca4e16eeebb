//! Steady-state query time: the document is loaded once, then each
//! expression in `benches/expressions.txt` is compiled and evaluated
//! (result converted to JSON) repeatedly. Prints one JSON line per
//! expression with the median in microseconds. Data: `$IDCSH_BENCH_DATA`.

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
            std::hint::black_box(result.to_json());
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
        samples.sort_by(f64::total_cmp);
        let median = samples[samples.len() / 2];
        println!(
            "{}",
            serde_json::json!({"expression": expression, "median_us": median, "runs": samples.len()})
        );
    }
}
