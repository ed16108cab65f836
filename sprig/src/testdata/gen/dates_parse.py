import json, random, sys
random.seed(int(sys.argv[1])); N = int(sys.argv[2])
def gostr(s): return json.dumps(s, ensure_ascii=False)
PIECES = ["2006", "06", "01", "1", "Jan", "January", "02", "2", "_2", "15", "03", "3", "04", "4", "05", "5", "PM", "pm", "Mon", "Monday", ".000", ".999", ",000", "-0700", "-07:00", "Z07:00", "Z0700", "MST", "002"]
SEPS = ["-", " ", ":", "T", "/", ", ", "."]
def layout():
    n = random.randint(1, 6)
    out = ""
    for i in range(n):
        out += random.choice(PIECES)
        if i < n - 1: out += random.choice(SEPS)
    return out
def case():
    l = layout()
    t = random.choice([0, 1700000000, 1690000123, 951782400, 4102444800, 1234567890, 86399])
    z = random.choice(["UTC", "America/New_York", "Asia/Kolkata"])
    if random.random() < 0.7:
        return f"{{{{ mustToDate {gostr(l)} (dateInZone {gostr(l)} {t} {gostr(z)}) | unixEpoch }}}}"
    v = random.choice(["2024-03-05", "10:20", "Mar 5 2024", "2024-13-01", "x", "", "2024-02-30 10:00", "05/03/24 1:02PM", "Tue Mar  5 10:20:30 2024"])
    return f"{{{{ mustToDate {gostr(l)} {gostr(v)} | unixEpoch }}}}"
seen = set()
while len(seen) < N:
    t = case()
    if t in seen: continue
    seen.add(t)
    print(json.dumps({'t': t, 'd': {}}, ensure_ascii=False))
