import json, random, sys
random.seed(int(sys.argv[1])); N = int(sys.argv[2])
def gostr(s): return json.dumps(s, ensure_ascii=False)
SCAL = ['1', '0', '2.5', '""', '"a"', '"b"', 'true', 'false', 'nil', '.f', '.zero', '.s', '"1"', '(list)', '(dict)']
def val(d=0):
    k = random.random()
    if d > 2 or k < 0.55: return random.choice(SCAL)
    if k < 0.75: return "(list " + " ".join(val(d+1) for _ in range(random.randint(0, 3))) + ")"
    return dict_(d+1)
def dict_(d=0):
    keys = random.sample(["a", "b", "c", "d"], random.randint(0, 3))
    return "(dict " + " ".join(f'"{k}" {val(d+1)}' for k in keys) + ")"
def lst(): return random.choice(["(list " + " ".join(val(2) for _ in range(random.randint(0, 5))) + ")", ".nums", ".list", "(until 4)", '(splitList "," "a,b,,a")', ".emptylist"])
LAYOUTS = ["2006-01-02", "15:04:05", "Jan _2 2006", "Monday 3PM", "2006-01-02T15:04:05Z07:00", "02 Jan 06 15:04 MST", ".000 .999 ,000", "__2 002", "-0700 -07:00 -07 Z0700 Z07:00 Z07", "January Mon Jan", "pm PM 03 3 04 4 05 5"]
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham", "Local", "", "Nope/Zone", "Asia/Kathmandu", "America/Sao_Paulo", "Africa/Casablanca"]
def case():
    k = random.random()
    if k < 0.15:
        f = random.choice(["merge", "mergeOverwrite"])
        return f"{{{{ {f} {dict_()} {dict_()} {dict_() if random.random()<0.3 else ''} | toJson }}}}"
    if k < 0.30:
        f = random.choice(["uniq", "compact", "first", "last", "rest", "initial", "reverse", "sortAlpha", "toStrings", "toJson", "empty", "typeOf"])
        return f"{{{{ {f} {lst()} }}}}"
    if k < 0.40:
        f = random.choice(["has", "without", "append", "prepend"])
        if f == "has": return f"{{{{ has {val(2)} {lst()} }}}}"
        return f"{{{{ {f} {lst()} {val(2)} }}}}"
    if k < 0.47:
        return f"{{{{ slice {lst()} {' '.join(str(random.randint(-1,5)) for _ in range(random.randint(0,2)))} }}}}"
    if k < 0.52:
        return f"{{{{ join {gostr(random.choice([',', '', '-']))} {lst()} }}}}"
    if k < 0.57:
        return f"{{{{ chunk {random.randint(1,4)} {lst()} }}}}"
    if k < 0.62:
        return f"{{{{ concat {lst()} {lst()} }}}}"
    if k < 0.67:
        f = random.choice(["pick", "omit"])
        return f"{{{{ {f} {dict_()} {' '.join(gostr(x) for x in random.sample(['a','b','c','z'], random.randint(0,2)))} | toJson }}}}"
    if k < 0.72:
        return f"{{{{ dig {' '.join(gostr(x) for x in random.sample(['a','b','c'], random.randint(1,2)))} \"def\" {dict_()} }}}}"
    if k < 0.84:
        t = random.choice([0, 1700000000, 1690000000, -86401, 4102444800, 951782400, 1711846800, 1730000000])
        f = random.choice(["dateInZone", "htmlDateInZone"])
        if f == "htmlDateInZone": return f"{{{{ htmlDateInZone {t} {gostr(random.choice(ZONES))} }}}}"
        return f"{{{{ dateInZone {gostr(random.choice(LAYOUTS))} {t} {gostr(random.choice(ZONES))} }}}}"
    if k < 0.90:
        return f"{{{{ toJson {val()} }}}} {{{{ toPrettyJson {val()} }}}}"
    if k < 0.95:
        js = random.choice(['{"a":1}', '[1,"x",null]', '1.5e300', '"\\u00e9"', '{"a":', '[1,', 'nul', '-', '1.', '01', '{"a" 1}', '[]', '{}', '"\\x"', '  [ ] x', '{"a":1,"a":2}', '"a\\/b"'])
        return f"{{{{ mustFromJson {gostr(js)} }}}}"
    s = "".join(random.choice("AQIDBAUGBwgJ=+/\n\r-_ !aGVsbG8") for _ in range(random.randint(0, 12)))
    return f"{{{{ b64dec {gostr(s)} }}}}"
data = {'f':1.5,'big':1000000,'list':['a','b'],'emptylist':[],'emptymap':{},'map':{'a':1,'b':'x'},'nested':{'a':{'b':'found','c':{'d':1}}},'port':80,'neg':-3.7,'zero':0,'s':'8080','nums':[1,2,3]}
seen = set()
while len(seen) < N:
    t = case()
    if t in seen: continue
    seen.add(t)
    print(json.dumps({'t': t, 'd': data}, ensure_ascii=False))
