#!/usr/bin/env bash
# Warm start from the disk cache: 100,000 users and 10,000 assignments
# written where the live source keeps them, then `idcsh` started against an
# endpoint that answers GetCallerIdentity (the identity check every warm
# start makes) and nothing else (500), so any other AWS call would fail the
# run. Baseline in the same run: `--data` on a document holding the same
# two collections (the offline path, one file). Medians of 5.
# IDCSH_BASELINE_BIN=OLD also times OLD's warm start, alternated with
# this build's, for a before/after ratio (IDCSH_BIN picks this build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh --bench
mkdir -p bench-data
users=bench-data/users-100000.json
[ -f "$users" ] || .venv/bin/python scripts/gen_users.py 100000 "$users"
bin=${IDCSH_BIN:-target/release/idcsh}
[ -n "${IDCSH_BIN:-}" ] || cargo build --release --quiet
cache=$(mktemp -d)
# A caller-identity endpoint on a free port: GetCallerIdentity, else 500.
.venv/bin/python - > "$cache/port" <<'PY' &
import http.server, sys
IDENTITY = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDABENCH</UserId>
<Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        ok = b"Action=GetCallerIdentity" in body
        self.send_response(200 if ok else 500)
        self.send_header("content-type", "text/xml")
        reply = IDENTITY if ok else b"{}"
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
sts=$!
trap 'kill $sts 2>/dev/null; rm -rf "$cache"' EXIT
while [ ! -s "$cache/port" ]; do sleep 0.1; done
port=$(cat "$cache/port")
.venv/bin/python - "$users" "$cache" "$port" <<'PY'
import json, os, sys
users = json.load(open(sys.argv[1]))["Users"]
assignments = [{
    "AccountId": f"{100000000000 + i % 40}", "PermissionSetArn": f"arn:aws:sso:::permissionSet/ssoins-1/ps-{i % 10:016x}",
    "PrincipalType": "USER", "PrincipalId": users[i]["UserId"],
    "AccountName": f"account-{i % 40:02}", "PermissionSetName": f"Set{i % 10}", "PrincipalName": users[i]["UserName"],
} for i in range(10000)]
folder = os.path.join(sys.argv[2], "idcsh", f"default@us-east-1@http___127.0.0.1_{sys.argv[3]}")
root = os.path.join(folder, "aws-123456789012")
store = os.path.join(root, "d-0000000000")
os.makedirs(store)
json.dump({"Partition": "aws", "Account": "123456789012"}, open(os.path.join(folder, "last.json"), "w"))
json.dump({"Partition": "aws", "Account": "123456789012", "IdentityStoreId": "d-0000000000",
           "InstanceArn": "arn:aws:sso:::instance/ssoins-0000000000000000"},
          open(os.path.join(root, "directory.json"), "w"))
# As idcsh writes its cache: compact JSON, one item a line (IDCSH_OLD_CACHE=1:
# one line, as idcsh wrote it before, which it still reads).
def cached(items, path):
    with open(path, "w") as f:
        if os.environ.get("IDCSH_OLD_CACHE"):
            json.dump(items, f)
        else:
            f.write("[\n" + ",\n".join(json.dumps(i, separators=(",", ":")) for i in items) + "\n]\n")
cached(users, os.path.join(store, "Users.json"))
cached(assignments, os.path.join(store, "AccountAssignments.json"))
json.dump({"Users": users, "AccountAssignments": assignments}, open(os.path.join(sys.argv[2], "both.json"), "w"))
PY
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "cache: $(du -sh "$cache/idcsh" | cut -f1) on disk (100,000 users, 10,000 assignments)"
lines=(-c 'length(Users)' -c 'length(AccountAssignments)')
warm=(env -i PATH="$PATH" HOME="$cache" XDG_CACHE_HOME="$cache" AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x
  AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true IDCSH_MAX_ATTEMPTS=1 "$bin" --endpoint-url "http://127.0.0.1:$port" "${lines[@]}")
data=("$bin" --data "$cache/both.json" "${lines[@]}")
old=()
if [ -n "${IDCSH_BASELINE_BIN:-}" ]; then
  old=("${warm[@]}")
  for i in "${!old[@]}"; do [ "${old[$i]}" = "$bin" ] && old[$i]=$IDCSH_BASELINE_BIN; done
fi
"${warm[@]}" | tr '\n' ' '; echo "(answers from the cache: users, assignments)"
.venv/bin/python - "${#warm[@]}" "${#data[@]}" "${warm[@]}" "${data[@]}" "${old[@]}" <<'PY'
import statistics, subprocess, sys, time
n, m = int(sys.argv[1]), int(sys.argv[2])
warm = sys.argv[3:3 + n]; data = sys.argv[3 + n:3 + n + m]; old = sys.argv[3 + n + m:]
commands = {"warm": warm, "data": data}
if old:
    commands["old"] = old
times = {k: [] for k in commands}
for _ in range(5):  # alternated, so drift hits each alike
    for name, argv in commands.items():
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times[name].append(time.perf_counter() - t)
w, d = (statistics.median(times[k]) * 1000 for k in ("warm", "data"))
print(f"| warm start from the disk cache | {w:.0f} ms |")
print(f"| baseline: --data, the same collections in one file | {d:.0f} ms |")
print(f"| ratio warm / baseline | {w / d:.2f} |")
if old:
    o = statistics.median(times["old"]) * 1000
    print(f"| the same warm start by the baseline binary | {o:.0f} ms |")
    print(f"| ratio this build / baseline binary | {w / o:.2f} |")
PY
