#!/usr/bin/env bash
# Warm start from the disk cache: 100,000 users and 10,000 assignments
# written where the live source keeps them, then `idcsh` started against an
# endpoint that answers nothing (127.0.0.1:9), so any AWS call would fail
# the run. Baseline in the same run: `--data` on a document holding the
# same two collections (the offline path, one file). Medians of 5.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh --bench
mkdir -p bench-data
users=bench-data/users-100000.json
[ -f "$users" ] || .venv/bin/python scripts/gen_users.py 100000 "$users"
cargo build --release --quiet
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
.venv/bin/python - "$users" "$cache" <<'PY'
import json, os, sys
users = json.load(open(sys.argv[1]))["Users"]
assignments = [{
    "AccountId": f"{100000000000 + i % 40}", "PermissionSetArn": f"arn:aws:sso:::permissionSet/ssoins-1/ps-{i % 10:016x}",
    "PrincipalType": "USER", "PrincipalId": users[i]["UserId"],
    "AccountName": f"account-{i % 40:02}", "PermissionSetName": f"Set{i % 10}", "PrincipalName": users[i]["UserName"],
} for i in range(10000)]
root = os.path.join(sys.argv[2], "idcsh", "default@us-east-1@http___127.0.0.1_9")
store = os.path.join(root, "d-0000000000")
os.makedirs(store)
json.dump({"IdentityStoreId": "d-0000000000", "InstanceArn": "arn:aws:sso:::instance/ssoins-0000000000000000"},
          open(os.path.join(root, "directory.json"), "w"))
json.dump(users, open(os.path.join(store, "Users.json"), "w"))
json.dump(assignments, open(os.path.join(store, "AccountAssignments.json"), "w"))
json.dump({"Users": users, "AccountAssignments": assignments}, open(os.path.join(sys.argv[2], "both.json"), "w"))
PY
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "cache: $(du -sh "$cache/idcsh" | cut -f1) on disk (100,000 users, 10,000 assignments)"
lines=(-c 'length(Users)' -c 'length(AccountAssignments)')
warm=(env -i PATH="$PATH" HOME="$cache" XDG_CACHE_HOME="$cache" AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x
  AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true target/release/idcsh --endpoint-url http://127.0.0.1:9 "${lines[@]}")
data=(target/release/idcsh --data "$cache/both.json" "${lines[@]}")
"${warm[@]}" | tr '\n' ' '; echo "(answers from the cache: users, assignments)"
.venv/bin/python - "${#warm[@]}" "${warm[@]}" "${data[@]}" <<'PY'
import statistics, subprocess, sys, time
n = int(sys.argv[1]); warm = sys.argv[2:2 + n]; data = sys.argv[2 + n:]
def median(argv):
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000
w, d = median(warm), median(data)
print(f"| warm start from the disk cache | {w:.0f} ms |")
print(f"| baseline: --data, the same collections in one file | {d:.0f} ms |")
print(f"| ratio warm / baseline | {w / d:.2f} |")
PY
