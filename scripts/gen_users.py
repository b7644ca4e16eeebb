#!/usr/bin/env python3
"""Writes a ListUsers-shaped document ({"Users": [...]}) of N users, the same
every run, for the query benchmarks. Users come in the order of their
names (user-0, user-1, ...), as a listing returns them; with --shuffle, in
an order shuffled the same way every run.

Usage: gen_users.py N OUT [--shuffle]"""
import json
import random
import sys

def main():
    count = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(42)
    given = ["Alice", "Bob", "Carla", "Dmitri", "Émilie", "Farah", "Giulia", "Hiroshi", "Ingrid", "José",
             "Kwame", "Léa", "Mateo", "Nadia", "Priya", "Rosa", "Søren", "Tomás", "Wei", "Zoë"]
    family = ["O'Brien", "García", "Müller", "Nakamura", "Okafor", "Kowalski", "Dubois", "Rossi",
              "Ivanova", "Chen", "Singh", "Andersson", "Nguyen", "Kim", "Silva", "Jensen", "Patel"]
    titles = ["Software Engineer", "Data Scientist", "Security Engineer", "Support Engineer",
              "Product Manager", "Network Engineer", "Financial Analyst", "SRE"]
    zones = ["America/New_York", "Europe/London", "Europe/Paris", "Asia/Tokyo", "Asia/Kolkata"]
    users = []
    for i in range(count):
        g, f = rng.choice(given), rng.choice(family)
        uid = "906722%04x-%08x-%04x-%04x-%04x-%012x" % (
            rng.getrandbits(16), rng.getrandbits(32), rng.getrandbits(16),
            rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(48))
        name = "user-%d" % i
        users.append({
            "IdentityStoreId": "d-906722ab12",
            "UserId": uid,
            "UserName": name,
            "Name": {"Formatted": f"{g} {f}", "FamilyName": f, "GivenName": g},
            "DisplayName": f"{g} {f}",
            "Emails": [{"Value": f"{name}@example.com", "Type": "work", "Primary": True}],
            "UserType": rng.choice(["Employee", "Contractor"]),
            "Title": rng.choice(titles),
            "Locale": "en-US",
            "Timezone": rng.choice(zones),
            "UserStatus": "ENABLED" if rng.random() > 0.05 else "DISABLED",
            "CreatedAt": "2024-%02d-%02dT%02d:%02d:00Z" % (
                rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)),
        })
    if "--shuffle" in sys.argv[3:]:
        random.Random(7).shuffle(users)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"Users": users}, fh, ensure_ascii=False)

if __name__ == "__main__":
    main()
